// Runs the training pipeline's Python tests (models/training/test_*.py) with Debian's Python,
// which is the one that sees the apt-installed PyTorch and onnx packages.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const python = process.env.EXPERT_ACTIVATION_PYTHON ?? '/usr/bin/python3';

if (!existsSync(python)) {
  console.log(`Pipeline tests skipped: ${python} not found. Set EXPERT_ACTIVATION_PYTHON to a Python with torch and onnx.`);
  process.exit(0);
}

const probe = spawnSync(python, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log(`Pipeline tests skipped: ${python} cannot import torch, onnx and numpy. ` +
    'Install them with: apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy libopenblas0-pthread');
  process.exit(0);
}

const result = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'models/training', '-p', 'test_*.py', '-v'], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
