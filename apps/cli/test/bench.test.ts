// End-to-end: the built `fmnist bench` trains a reference model on the real data and compares with PyTorch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/fmnist.js', import.meta.url));

function fmnist(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether Debian's python3-torch is installed (CI may lack it; bench must then say so and still report). */
const HAS_TORCH = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)))) {
    throw new Error('build the CLI first: npx -y pnpm@10.28.2 build');
  }
});

describe('fmnist bench', () => {
  it('reports training and inference throughput, accuracy and the PyTorch ratios as one JSON line', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fmnist-bench-')), 'run');
    const run = fmnist(
      'bench',
      ...['--model', 'linear', '--limit', '2000', '--epochs', '2', '--workers', '1', '--backend', 'cpu'],
      ...['--against-pytorch', '--json', '--out', out],
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const result = JSON.parse(lines.at(-1)!);
    expect(result).toMatchObject({ model: 'linear', backend: 'cpu', workers: 1, epochs: 2, trainImages: 2000 });
    expect(result.trainImagesPerSecond).toBeGreaterThan(0);
    expect(result.inferImagesPerSecond).toBeGreaterThan(0);
    // Two epochs of 2,000 real images take a softmax regression well past chance (10%).
    expect(result.testAccuracy).toBeGreaterThan(0.6);
    expect(result.testAccuracy).toBeLessThanOrEqual(1);
    if (HAS_TORCH) {
      expect(result.pytorch.trainImagesPerSecond).toBeGreaterThan(0);
      expect(result.pytorch.testAccuracy).toBeGreaterThan(0.6);
      expect(result.ratio.train).toBeCloseTo(result.trainImagesPerSecond / result.pytorch.trainImagesPerSecond, 2);
      expect(result.ratio.infer).toBeCloseTo(result.inferImagesPerSecond / result.pytorch.inferImagesPerSecond, 2);
    } else {
      expect(result.pytorch).toBeUndefined();
      expect(run.stderr).toMatch(/PyTorch comparison skipped/);
    }
    // --out keeps the run record: the same figures, the data read and the memory held.
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    rmSync(dirname(out), { recursive: true, force: true });
    expect(record).toMatchObject({ command: 'bench', status: 'complete', workers: 1, backend: { name: 'cpu' } });
    expect(record.data).toMatchObject({ selection: 'first', limit: 2000, counts: { train: 2000, test: 10_000 } });
    expect(record.models.linear).toMatchObject({ epochs: 2, workers: 1, test: { count: 10_000 } });
    expect(record.models.linear.test.accuracy).toBeCloseTo(result.testAccuracy, 4);
    expect(record.models.linear.residentMiBAfterEpoch).toHaveLength(2);
    expect(record.memory.peakResidentMiB).toBeGreaterThan(20);
    expect(record.pytorch?.ratio).toEqual(result.ratio);
  });

  it('rejects an unknown model, naming the accepted ones (exit 2)', () => {
    const run = fmnist('bench', '--model', 'resnet');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--model must be one of linear, mlp, cnn, got 'resnet'/);
  });
});
