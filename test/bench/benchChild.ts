// Child process of `npm run bench` (bundled to out/bench/benchChild.js). It measures a cold
// start and the process's memory: an EngineClient starts the inference worker as the extension
// does, loads the model, completes once, then types a few characters with a completion each.
// Input is a ChildRequest as JSON on stdin; output is one JSON line (ChildReport) on stdout.

import { EngineClient } from '../../src/engine/client';
import { silentLogger } from '../../src/engine/logger';
import type { GenerationOptions, RoutingOptions } from '../../src/engine/protocol';

export interface ChildRequest {
  modelFolder: string;
  /** EngineClient's heartbeat timeout, raised so a starved machine does not restart the worker mid-run. */
  heartbeatTimeoutMs: number;
  workerScript: string;
  threads: number;
  text: string;
  start: number;
  completions: number;
  routing: RoutingOptions;
  generation: GenerationOptions;
}

export interface ChildReport {
  /** RSS of this process before the worker starts: Node itself and the client code. */
  baselineRssMb: number;
  /** From creating the client to the worker reporting the model loaded. */
  loadMs: number;
  firstCompletionMs: number;
  rssAfterLoadMb: number;
  rssAfterCompletionsMb: number;
  /** The highest RSS of the process during its life. */
  maxRssMb: number;
}

const MB = 2 ** 20;

async function main(request: ChildRequest): Promise<ChildReport> {
  const baselineRssMb = process.memoryUsage().rss / MB;
  const loadStarted = performance.now();
  const client = new EngineClient({
    modelFolder: request.modelFolder,
    threads: request.threads,
    workerScript: request.workerScript,
    heartbeatTimeoutMs: request.heartbeatTimeoutMs,
    log: silentLogger,
  });
  try {
    await client.start();
    const loadMs = performance.now() - loadStarted;
    const rssAfterLoadMb = process.memoryUsage().rss / MB;

    const complete = (typed: number) =>
      client.complete({ documentKey: 'bench', prefix: request.text.slice(0, request.start + typed), suffix: '', routing: request.routing, generation: request.generation });
    const firstStarted = performance.now();
    await complete(0);
    const firstCompletionMs = performance.now() - firstStarted;
    for (let typed = 1; typed <= request.completions; typed += 1) await complete(typed);

    return {
      baselineRssMb,
      loadMs,
      firstCompletionMs,
      rssAfterLoadMb,
      rssAfterCompletionsMb: process.memoryUsage().rss / MB,
      maxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
    };
  } finally {
    client.dispose();
  }
}

async function readRequest(): Promise<ChildRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChildRequest;
}

readRequest()
  .then(main)
  .then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`benchChild: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
