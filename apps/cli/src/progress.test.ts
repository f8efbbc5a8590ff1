import type { EpochResult } from '@fmnist/models';
import { describe, expect, it } from 'vitest';
import { createReporter, formatDuration, formatEpochLine, plural } from './progress.js';

function fakeStreams(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    streams: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text), isTTY, columns: 200 },
    },
  };
}

const epoch: EpochResult = {
  epoch: 2,
  loss: 0.41234,
  accuracy: 0.85,
  validationLoss: 0.43,
  validationAccuracy: 0.84,
  learningRate: 0.001,
  seconds: 12.34,
  imagesPerSecond: 4567.8,
};

const batch = (index: number) => ({ epoch: 2, batch: index, batches: 10, loss: 0.5, imagesPerSecond: 1000 });

describe('createReporter', () => {
  it('prints one plain line per epoch and no bar when stderr is not a terminal', () => {
    const { err, streams } = fakeStreams(false);
    const progress = createReporter({}, streams).training('cnn', 8);
    for (let index = 1; index <= 10; index++) progress.onBatchEnd(batch(index));
    progress.onEpochEnd(epoch);
    expect(err).toEqual([
      'cnn epoch 2/8: loss 0.4123, accuracy 0.8500, validation loss 0.4300, validation accuracy 0.8400, 4,568 images/s, 12.3 s\n',
    ]);
  });

  it('redraws a bar with images/s, loss and ETA on a terminal, and clears it before the next line', () => {
    const { err, streams } = fakeStreams(true);
    const progress = createReporter({}, streams).training('linear', 3);
    progress.onBatchEnd(batch(10));
    expect(err[0]).toBe(`\r\x1b[2Klinear epoch 2/3 ${'█'.repeat(20)} 100% 1,000 images/s, loss 0.5000, ETA 0:00`);
    progress.onEpochEnd(epoch);
    expect(err[1]).toBe('\r\x1b[2K');
    expect(err[2]).toMatch(/^linear epoch 2\/3: /);
  });

  it('prints nothing but warnings and the result with --quiet', () => {
    const { out, err, streams } = fakeStreams(true);
    const reporter = createReporter({ quiet: true }, streams);
    reporter.info('hello');
    reporter.debug('details');
    reporter.training('cnn', 1).onEpochEnd(epoch);
    reporter.warn('careful');
    reporter.result({ a: 1 }, () => ['a is 1']);
    expect(err).toEqual(['warning: careful\n']);
    expect(out).toEqual(['a is 1\n']);
  });

  it('prints the result as one JSON object with --json and keeps logs on stderr', () => {
    const { out, err, streams } = fakeStreams(false);
    const reporter = createReporter({ json: true, verbose: true }, streams);
    reporter.info('loading');
    reporter.debug('details');
    reporter.result({ accuracy: 0.9 }, () => ['not shown']);
    expect(out).toEqual(['{"accuracy":0.9}\n']);
    expect(err).toEqual(['loading\n', 'details\n']);
  });
});

describe('plural', () => {
  it('adds an s unless the count is 1', () => {
    expect([plural(1, 'epoch'), plural(0, 'epoch'), plural(14, 'worker')]).toEqual([
      '1 epoch',
      '0 epochs',
      '14 workers',
    ]);
  });
});

describe('formatDuration', () => {
  it('formats minutes and hours and refuses nonsense', () => {
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('--:--');
  });
});

describe('formatEpochLine', () => {
  it('leaves out validation figures that were not measured', () => {
    const { validationLoss, validationAccuracy, ...withoutValidation } = epoch;
    expect(formatEpochLine('linear', 5, withoutValidation)).toBe(
      'linear epoch 2/5: loss 0.4123, accuracy 0.8500, 4,568 images/s, 12.3 s',
    );
  });
});
