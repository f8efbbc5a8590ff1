/** End-to-end tests of `fmnist report --from` on the built binary, from a saved synthetic study (no training). */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLASS_NAMES } from '@fmnist/dataset';
import { calibration, classificationReport, confusionMatrix, logLoss, topKAccuracy } from '@fmnist/metrics';
import type { ModelEvaluation, TrainingHistory } from '@fmnist/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStudy, type TrainedModel } from '../src/study.js';
import { saveStudyData } from '../src/study-files.js';
import { BUILT, listTree, runCli, temporaryEntries } from './cli-run.js';

const COUNT = 300;
const CLASSES = 10;

/** A seeded generator (mulberry32) so the fixture is the same on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Predictions right with probability `skill`, with probabilities peaked on the predicted class. */
function fakeModel(name: string, labels: Uint8Array, skill: number, seed: number): TrainedModel {
  const next = random(seed);
  const predictions = new Uint8Array(COUNT);
  const probabilities = new Float32Array(COUNT * CLASSES);
  for (let index = 0; index < COUNT; index++) {
    const predicted = next() < skill ? labels[index]! : Math.floor(next() * CLASSES);
    predictions[index] = predicted;
    const peak = 0.5 + next() * 0.45;
    for (let k = 0; k < CLASSES; k++) {
      probabilities[index * CLASSES + k] = k === predicted ? peak : (1 - peak) / (CLASSES - 1);
    }
  }
  const options = { numClasses: CLASSES };
  const test: ModelEvaluation = {
    predictions,
    probabilities,
    report: classificationReport(labels, predictions, options),
    confusionMatrix: confusionMatrix(labels, predictions, CLASSES),
    logLoss: logLoss(labels, probabilities, options),
    top3: topKAccuracy(labels, probabilities, 3, options),
    ece: calibration(labels, probabilities, options).ece,
  };
  const history: TrainingHistory = {
    epochs: [1, 2].map((epoch) => ({
      epoch,
      loss: 1 / epoch,
      accuracy: skill - 0.1 / epoch,
      validationLoss: 1.1 / epoch,
      validationAccuracy: skill - 0.12 / epoch,
      learningRate: 0.001,
      seconds: 2,
      imagesPerSecond: 1000,
    })),
    bestEpoch: 2,
    stoppedEarly: false,
    cancelled: false,
    seconds: 4,
    imagesPerSecond: 1000,
    backend: 'cpu',
    workers: 1,
  };
  return { name, displayName: name.toUpperCase(), architecture: `${name} layers`, parameters: 1234, history, test };
}

describe.runIf(BUILT)('fmnist report --from', () => {
  const root = mkdtempSync(join(tmpdir(), 'fmnist-report-'));
  const run = join(root, 'run');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    const next = random(7);
    const labels = Uint8Array.from({ length: COUNT }, (_, index) => index % CLASSES);
    const images = Uint8Array.from({ length: COUNT * 784 }, () => Math.floor(next() * 256));
    const study = buildStudy({
      classNames: CLASS_NAMES,
      dataset: {
        trainCount: 1000,
        validationCount: 100,
        testCount: COUNT,
        source: 'fixture',
        normalization: { mean: 0.3, std: 0.35 },
      },
      test: { images, labels, count: COUNT, rows: 28, cols: 28 },
      models: [fakeModel('linear', labels, 0.7, 1), fakeModel('cnn', labels, 0.9, 2)],
      run: { seed: 0, backend: 'cpu', workers: 1, wallSeconds: 10, versions: { node: process.versions.node } },
      seed: 0,
    });
    await saveStudyData(join(run, 'study'), study);
  });

  it('renders report.html, report.md and figures/ into the run folder from the saved study', async () => {
    const result = await runCli(['report', '--from', run, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ from: run, outDir: run });
    expect(summary.files).toEqual(expect.arrayContaining(['report.html', 'report.md', 'figures']));
    const markdown = readFileSync(join(run, 'report.md'), 'utf8');
    expect(markdown).toMatch(/LINEAR/);
    expect(markdown).toMatch(/CNN/);
    expect(listTree(run).some((file) => file.startsWith('figures/') && file.endsWith('.svg'))).toBe(true);
    expect(temporaryEntries(run)).toEqual([]);
  });

  it('writes elsewhere with --out and prints a line for people without --json', async () => {
    const out = join(root, 'elsewhere');
    const result = await runCli(['report', '--from', run, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^wrote .*report\.html.* to .*elsewhere/);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('rejects a folder without a saved study, and a missing --from, with exit code 2', async () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const noStudy = await runCli(['report', '--from', empty]);
    expect(noStudy.code).toBe(2);
    expect(noStudy.stderr).toMatch(/--from .*empty holds no saved study/);
    const noFlag = await runCli(['report']);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toMatch(/from/);
  });
});
