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

  it('runs each count of a --workers list, with PyTorch at each thread count and the ratios to its best', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fmnist-bench-')), 'run');
    const run = fmnist(
      'bench',
      ...['--model', 'linear', '--limit', '2000', '--workers', '2,1', '--backend', 'cpu'],
      ...['--against-pytorch', '--json', '--out', out],
    );
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    // The engine that ran and the build of the kernel module it ran: Node 20 has SIMD128, Node 22 on relaxed SIMD.
    expect(result.node).toBe(process.version);
    const relaxed = Number(process.versions.node.split('.')[0]) >= 22;
    expect(result.kernelVariant).toBe(relaxed ? 'relaxed-simd' : 'simd128');
    // Each count in the order given; the top level keeps the first count's figures, as a single count prints them.
    expect(result.runs.map((r: { workers: number }) => r.workers)).toEqual([2, 1]);
    const [first, second] = result.runs;
    expect(result).toMatchObject({ workers: 2, trainImages: 2000, epochs: 1 });
    for (const key of ['trainImagesPerSecond', 'inferImagesPerSecond', 'testAccuracy', 'trainSeconds']) {
      expect(result[key]).toBe(first[key]);
    }
    for (const count of result.runs) {
      expect(count.trainImagesPerSecond).toBeGreaterThan(0);
      expect(count.inferImagesPerSecond).toBeGreaterThan(0);
      expect(count.trainSeconds).toBeGreaterThan(0);
      expect(count.testAccuracy).toBeGreaterThan(0.6);
    }
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    rmSync(dirname(out), { recursive: true, force: true });
    expect(record.workers).toBe(2);
    expect(record.models.linear).toMatchObject({ workers: 2 });
    expect(record.bench.kernelVariant).toBe(result.kernelVariant);
    expect(record.bench.runs.map((r: { workers: number }) => r.workers)).toEqual([2, 1]);
    expect(record.bench.runs[1].testAccuracy).toBeCloseTo(second.testAccuracy, 4);
    expect(record.timings.linearSeconds).toBeGreaterThan(0);
    expect(record.timings.linearWorkers1Seconds).toBeGreaterThan(0);
    if (!HAS_TORCH) {
      expect(result.pytorchBest).toBeUndefined();
      expect(record.bench.pytorchBest).toBeUndefined();
      return;
    }
    expect(result.pytorch).toEqual(first.pytorch);
    for (const count of result.runs) {
      expect(count.pytorch.trainImagesPerSecond).toBeGreaterThan(0);
      expect(count.ratio.train).toBeCloseTo(count.trainImagesPerSecond / count.pytorch.trainImagesPerSecond, 2);
      expect(count.ratio.infer).toBeCloseTo(count.inferImagesPerSecond / count.pytorch.inferImagesPerSecond, 2);
    }
    // PyTorch's best is the thread count that trained fastest; every count is also divided by it.
    const fastest = first.pytorch.trainImagesPerSecond >= second.pytorch.trainImagesPerSecond ? first : second;
    expect(result.pytorchBest).toEqual({
      threads: fastest.workers,
      trainImagesPerSecond: fastest.pytorch.trainImagesPerSecond,
      inferImagesPerSecond: fastest.pytorch.inferImagesPerSecond,
    });
    expect(result.ratioToPytorchBest.map((r: { workers: number }) => r.workers)).toEqual([2, 1]);
    result.runs.forEach((count: Record<string, number>, index: number) => {
      const ratio = result.ratioToPytorchBest[index];
      expect(ratio.train).toBeCloseTo(count.trainImagesPerSecond! / result.pytorchBest.trainImagesPerSecond, 2);
      expect(ratio.infer).toBeCloseTo(count.inferImagesPerSecond! / result.pytorchBest.inferImagesPerSecond, 2);
    });
    expect(record.bench.pytorchBest).toEqual(result.pytorchBest);
    expect(record.bench.ratioToPytorchBest).toEqual(result.ratioToPytorchBest);
    expect(record.bench.runs[0].pytorch).toEqual(first.pytorch);
  });

  it('prints each count, the kernel module and, against PyTorch, the ratios to its best thread count', () => {
    const run = fmnist(
      'bench',
      ...['--model', 'linear', '--limit', '500', '--workers', '1,2', '--backend', 'cpu', '--against-pytorch'],
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/kernel module (relaxed-simd|simd128), Node v\d+/);
    expect(run.stdout).toMatch(/^1 worker\(s\):$/m);
    expect(run.stdout).toMatch(/^2 worker\(s\):$/m);
    if (HAS_TORCH) {
      expect(run.stdout).toMatch(/, 2 thread\(s\):$/m);
      expect(run.stdout).toMatch(/^PyTorch's best: [12] thread\(s\)/m);
      expect(run.stdout).toMatch(/^ {2}1 worker\(s\) {2}training ratio [\d.]+, inference ratio [\d.]+$/m);
      expect(run.stdout).toMatch(/^ {2}2 worker\(s\) {2}training ratio [\d.]+, inference ratio [\d.]+$/m);
    }
  });

  it.each([
    ['0,2', /--workers must be auto, or whole numbers from 1 to 64 separated by commas, got '0,2' \('0' is not one\)/],
    ['1,,2', /--workers must be .* got '1,,2' \(an empty entry\)/],
    ['1,x', /--workers must be .* got '1,x' \('x' is not one\)/],
    ['2,1,2', /--workers lists 2 twice in '2,1,2'/],
    ['auto,2', /--workers must be .* got 'auto,2' \('auto' is not one\)/],
  ])('rejects --workers %s before any work, naming the flag and the value (exit 2)', (value, message) => {
    const run = fmnist('bench', '--workers', value);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toMatch(/E_CLI_USAGE/);
    expect(run.stderr).not.toMatch(/training the reference/);
  });

  it('rejects an unknown model, naming the accepted ones (exit 2)', () => {
    const run = fmnist('bench', '--model', 'resnet');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--model must be one of linear, mlp, cnn, got 'resnet'/);
  });
});
