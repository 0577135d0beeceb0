// The machine a measurement ran on, for the reports: CPU, cores, memory, OS, versions and load.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface MachineInfo {
  cpu: string;
  /** Logical CPUs the OS reports. */
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  onnxruntimeNode: string;
  /** 1, 5 and 15 minute load averages when the run started and ended. */
  loadAtStart: number[];
  loadAtEnd?: number[];
  /** Processes whose CPU use since they started averages over 10% of a core, busiest first. */
  busyProcesses: string[];
}

export function describeMachine(repositoryRoot: string): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: operatingSystem(),
    node: process.version,
    onnxruntimeNode: packageVersion(repositoryRoot, 'onnxruntime-node'),
    loadAtStart: roundedLoad(),
    busyProcesses: busyProcesses(),
  };
}

export function roundedLoad(): number[] {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

export function machineLine(machine: MachineInfo): string {
  return `${machine.cpu}, ${machine.cores} logical CPUs, ${machine.memoryGb} GB memory, ${machine.os}, Node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}`;
}

export function loadLine(machine: MachineInfo): string {
  const start = machine.loadAtStart.join(' / ');
  const end = machine.loadAtEnd === undefined ? '' : `, at the end ${machine.loadAtEnd.join(' / ')}`;
  const busy = machine.busyProcesses.length === 0 ? 'No other process was busy.' : `Busy processes at the start: ${machine.busyProcesses.join('; ')}.`;
  return `load average (1 / 5 / 15 min) ${start} at the start${end}. ${busy}`;
}

function cpuModel(): string {
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /^Model name:\s*(.+)$/m.exec(lscpu);
    if (model !== null) return model[1].trim();
  } catch {
    // Without lscpu the model name from Node's os module follows.
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

function operatingSystem(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    const name = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release);
    if (name !== null) return `${name[1]} (${os.type()} ${os.release()})`;
  } catch {
    // Not Linux, or no os-release: the kernel name and release follow.
  }
  return `${os.type()} ${os.release()}`;
}

function packageVersion(repositoryRoot: string, name: string): string {
  try {
    const file = path.join(repositoryRoot, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function busyProcesses(): string[] {
  try {
    const output = execFileSync('ps', ['-eo', 'pcpu=,comm=,args=', '--sort=-pcpu'], { encoding: 'utf8' });
    return output
      .split('\n')
      .map((line) => /^\s*([\d.]+)\s+(\S+)\s+(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null && Number(match[1]) > 10 && Number(match[1]) < 10_000)
      .filter((match) => !/test\/bench\/|npm run (eval|bench)|run (eval|bench) --/.test(match[3]))
      .slice(0, 4)
      .map((match) => `${match[2]} ${match[1]}% (${match[3].slice(0, 60)})`);
  } catch {
    return [];
  }
}
