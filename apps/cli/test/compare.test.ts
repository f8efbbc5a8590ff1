/** End-to-end tests of `fmnist compare` on the built binary: a small study, its files and contract, and Ctrl-C. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FASHION_MNIST_FILES } from '@fmnist/dataset';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { getPreset } from '@fmnist/models';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BUILT, listTree, runCli, temporaryEntries } from './cli-run.js';

const HAS_DATA = existsSync('/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz');
const withBuildAndData = requirePrerequisite(BUILT && HAS_DATA, 'the built CLI (run pnpm build) and the real data');

requirePrerequisite(BUILT, 'the built CLI (run pnpm build)')('fmnist compare flags', () => {
  it.each([
    [['--epochs', '0'], /--epochs must be a whole number from 1 to 1000, got '0'/],
    [['--cnn-epochs', 'many'], /--cnn-epochs must be a whole number/],
    [['--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu, got 'gpu'/],
    [['--workers', 'lots'], /--workers must be auto or a whole number from 1 to 64, got 'lots'/],
    [['--limit', '5'], /--limit must be a whole number from 100 to 60000/],
    [['--epoch', '3'], /unknown flag '--epoch' for 'fmnist compare'; accepted: .*--epochs/],
    [['--preset', 'fast'], /--preset must be one of quick, standard, best, got 'fast'/],
    [
      ['--seeds', '0,,1'],
      /--seeds must be a count from 1 to 100 or a comma list of distinct seeds from 0 to 4294967295 .*got '0,,1' \(an empty entry\)/,
    ],
    [['--seeds', '-1'], /--seeds must be a count from 1 to 100 or a comma list .*got '-1'/],
    [['--seeds', '0,0'], /--seeds must be .*got '0,0' \(0 is listed twice\)/],
    [['--seeds', 'abc'], /--seeds must be .*got 'abc'/],
    [['--seeds', '0'], /--seeds must be .*got '0' \(a count of 0\)/],
    [['--seed', '1', '--seeds', '2,3'], /--seed and a --seeds list both choose the seeds/],
  ])('rejects %j with one line naming the flag and exit code 2', async (flags, message) => {
    const result = await runCli(['compare', ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it('says which sources it tried when the data is missing (exit 1, no stack trace, no empty run folder)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fmnist-compare-nodata-'));
    try {
      const result = await runCli(['compare', '--data-dir', join(root, 'nowhere'), '--out', join(root, 'run')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/nowhere/);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(root, 'run'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

withBuildAndData('fmnist compare on a small subset', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-compare-'));
  const out = join(root, 'run');
  let result: Awaited<ReturnType<typeof runCli>>;
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    result = await runCli(['compare', '--limit', '1000', '--epochs', '1', '--workers', '1', '--out', out, '--json']);
  }, 300_000);

  it('exits 0 and prints one JSON object on stdout, logs on stderr', () => {
    expect(result.stderr).not.toMatch(/^fmnist: /m);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0]!);
    expect(summary.outDir).toBe(out);
    expect(result.stderr).toMatch(/cnn epoch 1\/1: loss/);
  });

  it('writes the report, figures, both models, metrics, the study and run.json, and nothing temporary', () => {
    const files = listTree(out);
    for (const expected of [
      'metrics.json',
      'run.json',
      'report.html',
      'report.md',
      'figures/',
      'models/linear/model.json',
      'models/linear/metadata.json',
      'models/cnn/model.json',
      'models/cnn/metadata.json',
      'study/study.json',
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.filter((file) => file.startsWith('figures/') && file.endsWith('.svg')).length).toBeGreaterThan(3);
    expect(temporaryEntries(out)).toEqual([]);
  });

  it('keeps the metrics.json contract', () => {
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    for (const name of ['linear', 'cnn']) {
      const model = metrics.models[name];
      expect(model.test.accuracy).toBeGreaterThan(0.3);
      expect(model.test.accuracy).toBeLessThanOrEqual(1);
      expect(model.test.perClass).toHaveLength(10);
      expect(model.test.macro.f1).toBeGreaterThan(0);
      expect(model.test.logLoss).toBeGreaterThan(0);
      expect(model.test.top3).toBeGreaterThanOrEqual(model.test.accuracy);
      expect(model.test.ece).toBeGreaterThanOrEqual(0);
      const ci = model.test.accuracyCI;
      expect(ci.confidence).toBe(0.95);
      expect(ci.lower).toBeLessThanOrEqual(ci.estimate);
      expect(ci.upper).toBeGreaterThanOrEqual(ci.estimate);
      expect(ci.estimate).toBeCloseTo(model.test.accuracy, 10);
      expect(model.history).toHaveLength(1);
      expect(model.history[0]).toMatchObject({
        epoch: 1,
        loss: expect.any(Number),
        validationAccuracy: expect.any(Number),
      });
    }
    const { mcnemar, accuracyDifferenceCI } = metrics.comparison;
    expect(mcnemar).toEqual({ b: expect.any(Number), c: expect.any(Number), pValue: expect.any(Number) });
    expect(mcnemar.pValue).toBeGreaterThanOrEqual(0);
    expect(mcnemar.pValue).toBeLessThanOrEqual(1);
    expect(accuracyDifferenceCI.estimate).toBeCloseTo(
      metrics.models.cnn.test.accuracy - metrics.models.linear.test.accuracy,
      10,
    );
    expect(accuracyDifferenceCI.lower).toBeLessThanOrEqual(accuracyDifferenceCI.upper);
  });

  it('records the command, seed, data files, versions, backend, timings and memory in run.json', () => {
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ format: 'fmnist-run', formatVersion: 2, command: 'compare', status: 'complete' });
    expect(run.arguments).toEqual([
      'compare',
      '--limit',
      '1000',
      '--epochs',
      '1',
      '--workers',
      '1',
      '--out',
      out,
      '--json',
    ]);
    expect(run).toMatchObject({ seed: 0, workers: 1 });
    expect(run.data).toMatchObject({ limit: 1000, selection: 'stratified', counts: { test: 1000 } });
    expect(run.data.counts.train + run.data.counts.validation).toBe(1000);
    expect(run.data.files.map((file: { sha256: string }) => file.sha256)).toEqual([
      FASHION_MNIST_FILES.train.images.sha256,
      FASHION_MNIST_FILES.train.labels.sha256,
      FASHION_MNIST_FILES.test.images.sha256,
      FASHION_MNIST_FILES.test.labels.sha256,
    ]);
    expect(run.models.cnn).toMatchObject({ path: 'models/cnn', epochs: 1, options: { epochs: 1, seed: 0 } });
    expect(run.models.cnn.test.accuracy).toBeCloseTo(
      JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).models.cnn.test.accuracy,
      10,
    );
    expect(run.versions['@tensorflow/tfjs-core']).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.versions['@fmnist/models']).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.backend).toMatchObject({ requested: 'auto', name: expect.stringMatching(/^(wasm|cpu|tensorflow)$/) });
    expect(run.timings.wallSeconds).toBeGreaterThan(0);
    expect(run.timings.cnnSeconds).toBeGreaterThan(run.models.cnn.trainSeconds);
    // Resident memory after each epoch (one here) and the process's peak, in MiB: plausible for Node with tfjs.
    for (const kind of ['linear', 'cnn']) {
      expect(run.models[kind].residentMiBAfterEpoch).toHaveLength(run.models[kind].epochs);
      for (const mib of run.models[kind].residentMiBAfterEpoch) expect(mib).toBeGreaterThan(20);
    }
    expect(run.memory.peakResidentMiB).toBeGreaterThanOrEqual(Math.max(...run.models.cnn.residentMiBAfterEpoch));
    expect(run.memory.peakResidentMiB).toBeLessThan(64 * 1024);
    // The analysis (robustness, cost, learned features) is a stage of its own.
    expect(run.timings.analysisSeconds).toBeGreaterThan(0);
    expect(run.timings.dataEfficiencySeconds).toBeUndefined();
  });

  it('writes the analysis to metrics.json: robustness with McNemar, cost, learned features, its seconds', () => {
    const { analysis, models } = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    const { robustness, cost, learned } = analysis;
    // All 1,000 test images (fewer than the 2,000 of the robustness subset), the run's seed.
    expect(robustness).toMatchObject({ testImages: 1000, seed: 0 });
    expect(robustness.conditions).toHaveLength(19);
    expect(robustness.conditions[0]).toMatchObject({ family: 'clean', label: 'clean', images: 1000 });
    // The clean images are the test set, so the linear model's clean accuracy is its test accuracy. The standard CNN's
    // test accuracy averages its ten test-time views while the analysis runs it once per image, so the two differ.
    expect(models.linear.testTimeAugmentation).toBeUndefined();
    expect(robustness.conditions[0].accuracy.linear).toBeCloseTo(models.linear.test.accuracy, 10);
    expect(models.cnn.testTimeAugmentation).toEqual({ flip: true, shift: 1 });
    expect(Math.abs(robustness.conditions[0].accuracy.cnn - models.cnn.test.accuracy)).toBeLessThan(0.15);
    const shift = robustness.conditions.find((row: { family: string; severity: number }) => row.family === 'shift');
    expect(shift).toMatchObject({ severity: 1, images: 4000 });
    for (const row of robustness.conditions) {
      expect(row.difference).toBeCloseTo(row.accuracy.cnn - row.accuracy.linear, 10);
      expect(row.mcnemar.pValue).toBeGreaterThanOrEqual(0);
      expect(row.mcnemar.b + row.mcnemar.c).toBeLessThanOrEqual(row.images);
    }
    // The linear model's 784 x 10 weights; the study's CNN (not the reference model) needs millions.
    expect(cost.linear.multiplyAccumulates).toBe(7840);
    expect(cost.cnn.multiplyAccumulates).toBeGreaterThan(1_000_000);
    for (const name of ['linear', 'cnn']) {
      expect(cost[name].parameters).toBe(models[name].parameters);
      expect(cost[name].sizeOnDiskBytes).toBeGreaterThan(cost[name].parameters * 4);
      expect(cost[name].inference.batchSize).toBe(256);
      expect(cost[name].inference.imagesPerSecond).toBeGreaterThan(0);
      expect(cost[name].inference.latencyMs.p95).toBeGreaterThanOrEqual(cost[name].inference.latencyMs.p50);
      expect(cost[name].peakResidentMiB).toBeGreaterThan(20);
    }
    expect(learned.templates).toEqual({ model: 'linear', count: 10, rows: 28, cols: 28 });
    expect(learned.filters).toMatchObject({ model: 'cnn', rows: 3, cols: 3 });
    expect(learned.occlusion).toMatchObject({ patch: 6, stride: 2, models: ['linear', 'cnn'] });
    expect(learned.occlusion.indices).toHaveLength(8);
    expect(analysis.seconds).toBeGreaterThan(0);
    expect(analysis).not.toHaveProperty('dataEfficiency');
  });

  it('draws the analysis figures and writes its sections into the report', () => {
    const files = listTree(out);
    for (const id of [
      'robustness-examples',
      'robustness-shift',
      'robustness-invert',
      'cost-accuracy',
      'templates-linear',
      'filters-cnn',
      'occlusion',
    ]) {
      for (const extension of ['svg', 'png', 'vl.json']) expect(files).toContain(`figures/${id}.${extension}`);
    }
    expect(files).not.toContain('figures/data-efficiency.svg');
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    for (const heading of ['## Robustness', '## Cost', '## What each model learned']) {
      expect(markdown).toContain(`\n${heading}\n`);
    }
    expect(markdown).not.toContain('## Data efficiency');
    expect(markdown).toMatch(
      /shift 2 px costs Linear \(softmax regression\) (\d+\.\d points|nothing) and CNN (\d+\.\d points|nothing)/,
    );
  });

  it('refuses to overwrite a finished run (exit 2)', async () => {
    const again = await runCli(['compare', '--limit', '1000', '--epochs', '1', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run/);
  });

  it('re-renders the report with `fmnist report --from` without retraining, report.md byte for byte', async () => {
    const markdown = readFileSync(join(out, 'report.md'));
    const figures = listTree(join(out, 'figures'));
    rmSync(join(out, 'report.html'));
    rmSync(join(out, 'report.md'));
    rmSync(join(out, 'figures'), { recursive: true });
    const report = await runCli(['report', '--from', out, '--json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).files).toContain('report.html');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<html/i);
    expect(readFileSync(join(out, 'report.md')).equals(markdown)).toBe(true);
    expect(listTree(join(out, 'figures'))).toEqual(figures);
    expect(temporaryEntries(out)).toEqual([]);
  });

  it('gives identical robustness numbers with the same seed; --data-efficiency adds its curve and section', async () => {
    const second = join(root, 'second');
    const again = await runCli([
      'compare',
      ...['--limit', '1000', '--epochs', '1', '--workers', '1', '--data-efficiency', '--out', second],
    ]);
    expect(again.code, again.stderr).toBe(0);
    const first = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')).analysis;
    const repeated = JSON.parse(readFileSync(join(second, 'metrics.json'), 'utf8')).analysis;
    expect(repeated.robustness).toEqual(first.robustness);
    expect(repeated.cost.cnn.multiplyAccumulates).toBe(first.cost.cnn.multiplyAccumulates);
    // 1,000 images leave fewer than 1,000 to train on: the curve is the full run's point alone.
    const metrics = JSON.parse(readFileSync(join(second, 'metrics.json'), 'utf8'));
    for (const name of ['linear', 'cnn']) {
      expect(repeated.dataEfficiency[name]).toEqual([
        { trainImages: metrics.dataset.trainCount, testAccuracy: metrics.models[name].test.accuracy },
      ]);
    }
    expect(readFileSync(join(second, 'report.md'), 'utf8')).toContain('\n## Data efficiency\n');
    expect(JSON.parse(readFileSync(join(second, 'run.json'), 'utf8')).timings.dataEfficiencySeconds).toBeGreaterThan(0);
  }, 300_000);

  it('skips the analysis with --no-analysis', async () => {
    const bare = join(root, 'bare');
    const result = await runCli([
      'compare',
      '--limit',
      '200',
      '--epochs',
      '1',
      '--workers',
      '1',
      '--no-analysis',
      '--out',
      bare,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(bare, 'metrics.json'), 'utf8'))).not.toHaveProperty('analysis');
    expect(readFileSync(join(bare, 'report.md'), 'utf8')).not.toContain('## Robustness');
    expect(JSON.parse(readFileSync(join(bare, 'run.json'), 'utf8')).timings.analysisSeconds).toBeUndefined();
  }, 300_000);
});

withBuildAndData('fmnist compare --seeds on a small subset', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-compare-seeds-'));
  const out = join(root, 'run');
  const small = ['--limit', '200', '--epochs', '1', '--workers', '1', '--no-analysis'];
  let result: Awaited<ReturnType<typeof runCli>>;
  const read = (path: string) => JSON.parse(readFileSync(join(out, path), 'utf8'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    result = await runCli(['compare', '--seeds', '2', ...small, '--out', out, '--json']);
  }, 300_000);

  it('runs the study once per seed, each in its own folder, and the aggregate at the top', () => {
    expect(result.code, result.stderr).toBe(0);
    const files = listTree(out);
    for (const expected of ['metrics.json', 'run.json', 'report.html', 'report.md', 'figures/seeds-accuracy.svg']) {
      expect(files).toContain(expected);
    }
    for (const seed of [0, 1]) {
      for (const file of ['metrics.json', 'run.json', 'report.html', 'models/cnn/weights.bin', 'study/study.json']) {
        expect(files).toContain(`seed-${seed}/${file}`);
      }
      expect(read(`seed-${seed}/run.json`)).toMatchObject({ seed, status: 'complete', preset: 'standard' });
    }
    expect(files.filter((file) => /^seed-/.test(file) && file.endsWith('/') && !file.includes('/', 7))).toEqual([
      'seed-0/',
      'seed-1/',
    ]);
    expect(temporaryEntries(out)).toEqual([]);
  });

  it('writes an aggregate whose means, spreads and extremes are those of the seeds’ own metrics.json', () => {
    const { format, aggregate } = read('metrics.json');
    expect(format).toBe('fmnist-seeds-metrics');
    expect(aggregate.seeds).toEqual([0, 1]);
    const seeds = [read('seed-0/metrics.json'), read('seed-1/metrics.json')];
    for (const name of ['linear', 'cnn']) {
      const scores = {
        accuracy: seeds.map((seed) => seed.models[name].test.accuracy),
        macroF1: seeds.map((seed) => seed.models[name].test.macro.f1),
        logLoss: seeds.map((seed) => seed.models[name].test.logLoss),
        ece: seeds.map((seed) => seed.models[name].test.ece),
      };
      for (const [score, values] of Object.entries(scores)) {
        const summary = aggregate.models[name].test[score];
        expect(summary.mean).toBeCloseTo((values[0]! + values[1]!) / 2, 12);
        // The sample standard deviation of two values is |a - b| / sqrt(2).
        expect(summary.standardDeviation).toBeCloseTo(Math.abs(values[0]! - values[1]!) / Math.SQRT2, 12);
        expect([summary.min, summary.max]).toEqual([Math.min(...values), Math.max(...values)]);
      }
    }
    aggregate.runs.forEach((run: { seed: number; comparison: unknown }, index: number) => {
      expect(run.seed).toBe(index);
      expect(run.comparison).toEqual({
        mcnemar: seeds[index].comparison.mcnemar,
        accuracyDifferenceCI: seeds[index].comparison.accuracyDifferenceCI,
      });
    });
    const wins = seeds.filter((seed) => seed.models.cnn.test.accuracy > seed.models.linear.test.accuracy).length;
    expect(aggregate.challengerWins).toBe(wins);
  });

  it('prints the aggregate with --json, and records the seeds and the preset in run.json', () => {
    const printed = JSON.parse(result.stdout.trim());
    expect(printed).toMatchObject({ outDir: out, seeds: [0, 1] });
    expect(printed.aggregate).toEqual(read('metrics.json').aggregate);
    const run = read('run.json');
    expect(run).toMatchObject({
      command: 'compare',
      status: 'complete',
      seed: 0,
      preset: 'standard',
      seeds: { requested: [0, 1], finished: [0, 1] },
      models: {},
      data: null,
    });
    expect(run.completed.slice(0, 3)).toEqual(['seed-0', 'seed-1', 'metrics.json']);
    expect(run.timings.seed1Seconds).toBeGreaterThan(0);
    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('# FashionMNIST study over 2 seeds');
    expect(markdown).toMatch(/^\| 1 \| \d+\.\d\d% \| \d+\.\d\d% \| .* \| seed-1 \|$/m);
  });

  it('re-renders the seeds report with `fmnist report --from`, report.md byte for byte', async () => {
    const markdown = readFileSync(join(out, 'report.md'));
    rmSync(join(out, 'report.md'));
    rmSync(join(out, 'figures'), { recursive: true });
    const report = await runCli(['report', '--from', out, '--json']);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(out, 'report.md')).equals(markdown)).toBe(true);
    expect(listTree(join(out, 'figures'))).toEqual([
      'seeds-accuracy.png',
      'seeds-accuracy.svg',
      'seeds-accuracy.vl.json',
    ]);
  });

  it('builds and trains each model with the preset’s recipe, the --epochs flag winning', () => {
    const run = read('seed-1/run.json');
    const { cnn } = getPreset('standard');
    expect(run.models.cnn.model).toEqual({ ...cnn.model, seed: 1 });
    expect(run.models.cnn.options).toMatchObject({ ...cnn.train, epochs: 1, seed: 1 });
    expect(run.models.cnn.options.earlyStopping).toEqual(cnn.train.earlyStopping ?? { patience: 3, restoreBest: true });
    expect(read('seed-1/models/cnn/metadata.json').model).toEqual({ ...cnn.model, seed: 1 });
  });

  it('makes each seed’s folder the study `fmnist compare --seed S` makes, split included (same weights)', async () => {
    const single = join(root, 'single');
    const alone = await runCli(['compare', '--seed', '1', ...small, '--out', single]);
    expect(alone.code, alone.stderr).toBe(0);
    for (const kind of ['linear', 'cnn']) {
      const weights = (dir: string) => readFileSync(join(dir, 'models', kind, 'weights.bin'));
      expect(weights(join(out, 'seed-1')).equals(weights(single))).toBe(true);
      expect(weights(join(out, 'seed-0')).equals(weights(single))).toBe(false);
    }
    const singleMetrics = JSON.parse(readFileSync(join(single, 'metrics.json'), 'utf8'));
    expect(singleMetrics.format).toBe('fmnist-metrics');
    expect(read('seed-1/metrics.json').models.cnn.test).toEqual(singleMetrics.models.cnn.test);
  }, 300_000);

  it('keeps the finished seeds and their aggregate after Ctrl-C, and says which seeds finished (exit 130)', async () => {
    const stopped = join(root, 'stopped');
    let sent = false;
    const interrupted = await runCli(['compare', '--seeds', '5,6', ...small, '--out', stopped], {
      onStderr: (text, child) => {
        if (!sent && /seed 6 \(2 of 2\)/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/^fmnist: interrupted during seed 6; finished 1 seed: 5 \(kept in seed-5\//m);
    const files = listTree(stopped);
    expect(files).toContain('seed-5/metrics.json');
    expect(files).not.toContain('seed-6/metrics.json');
    expect(files).toContain('report.html');
    expect(temporaryEntries(stopped)).toEqual([]);
    const metrics = JSON.parse(readFileSync(join(stopped, 'metrics.json'), 'utf8'));
    expect(metrics.aggregate.seeds).toEqual([5]);
    expect(metrics.aggregate.models.cnn.test.accuracy.standardDeviation).toBeNull();
    const run = JSON.parse(readFileSync(join(stopped, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'interrupted', seeds: { requested: [5, 6], finished: [5] } });
  }, 300_000);
});

withBuildAndData('fmnist compare interrupted with Ctrl-C', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-compare-sigint-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stops during training, exits 130 and leaves no half-written files', async () => {
    const out = join(root, 'run');
    let sent = false;
    const result = await runCli(
      ['compare', '--limit', '3000', '--linear-epochs', '1', '--cnn-epochs', '200', '--workers', '1', '--out', out],
      {
        onStderr: (text, child) => {
          // Interrupt once the CNN is training: the finished linear model must be kept.
          if (!sent && /training cnn/.test(text)) {
            sent = true;
            setTimeout(() => child.kill('SIGINT'), 1500);
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/^fmnist: interrupted/m);
    const files = listTree(out);
    expect(temporaryEntries(out)).toEqual([]);
    expect(files).toContain('models/linear/model.json');
    expect(files).not.toContain('models/cnn/');
    expect(files).not.toContain('metrics.json');
    expect(files).not.toContain('report.html');
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.status).toBe('interrupted');
    expect(run.completed).toEqual(['models/linear']);
  }, 300_000);
});
