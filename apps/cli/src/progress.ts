/** What people see while a command runs: logs and training progress on stderr, the result on stdout. */
import type { BatchProgress, EpochResult } from '@fmnist/models';

export interface OutputOptions {
  json?: boolean | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
}

export interface TrainingProgress {
  onBatchEnd(progress: BatchProgress): void;
  onEpochEnd(epoch: EpochResult): void;
  /** Clears a half-drawn bar (e.g. when training was interrupted). */
  finish(): void;
}

export interface Reporter {
  /** A progress or status line for people (stderr); hidden by --quiet. */
  info(message: string): void;
  /** Detail for --verbose only (stderr). */
  debug(message: string): void;
  /** A warning (stderr); shown even with --quiet. */
  warn(message: string): void;
  /** The command's result: one JSON object with --json, else the given lines for people (stdout). */
  result(value: unknown, humanLines: () => string[]): void;
  /** Progress for one model's training: a redrawn bar on a terminal, one plain line per epoch otherwise. */
  training(label: string, totalEpochs: number): TrainingProgress;
}

interface StreamLike {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 20;

const integerFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `count` and the noun, plural unless the count is 1: '1 epoch', '14 epochs'. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** The plain one-line summary of an epoch (also what a non-terminal sees). */
export function formatEpochLine(label: string, totalEpochs: number, epoch: EpochResult): string {
  const parts = [`loss ${epoch.loss.toFixed(4)}`, `accuracy ${epoch.accuracy.toFixed(4)}`];
  if (epoch.validationLoss !== undefined) parts.push(`validation loss ${epoch.validationLoss.toFixed(4)}`);
  if (epoch.validationAccuracy !== undefined) parts.push(`validation accuracy ${epoch.validationAccuracy.toFixed(4)}`);
  parts.push(`${integerFormat.format(epoch.imagesPerSecond)} images/s`, `${epoch.seconds.toFixed(1)} s`);
  return `${label} epoch ${epoch.epoch}/${totalEpochs}: ${parts.join(', ')}`;
}

/** The bar drawn on a terminal while an epoch runs. */
export function formatProgressBar(
  label: string,
  totalEpochs: number,
  progress: BatchProgress,
  etaSeconds: number,
): string {
  const fraction = progress.batches > 0 ? Math.min(1, progress.batch / progress.batches) : 0;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
  return (
    `${label} epoch ${progress.epoch}/${totalEpochs} ${bar} ${String(Math.round(fraction * 100)).padStart(3)}% ` +
    `${integerFormat.format(progress.imagesPerSecond)} images/s, loss ${progress.loss.toFixed(4)}, ` +
    `ETA ${formatDuration(etaSeconds)}`
  );
}

export function createReporter(
  options: OutputOptions,
  streams: { stdout: StreamLike; stderr: StreamLike } = { stdout: process.stdout, stderr: process.stderr },
): Reporter {
  const { stdout, stderr } = streams;
  const quiet = Boolean(options.quiet);
  const verbose = Boolean(options.verbose) && !quiet;
  let barShown = false;

  const clearBar = () => {
    if (barShown) {
      stderr.write('\r\x1b[2K');
      barShown = false;
    }
  };
  const line = (text: string) => {
    clearBar();
    stderr.write(`${text}\n`);
  };

  return {
    info(message) {
      if (!quiet) line(message);
    },
    debug(message) {
      if (verbose) line(message);
    },
    warn(message) {
      line(`warning: ${message}`);
    },
    result(value, humanLines) {
      clearBar();
      if (options.json) stdout.write(`${JSON.stringify(value)}\n`);
      else stdout.write(`${humanLines().join('\n')}\n`);
    },
    training(label, totalEpochs) {
      const drawBars = Boolean(stderr.isTTY) && !quiet;
      let epochStartedAt = performance.now();
      let currentEpoch = 0;
      let lastDrawAt = 0;
      return {
        onBatchEnd(progress) {
          if (!drawBars) return;
          const now = performance.now();
          if (progress.epoch !== currentEpoch) {
            currentEpoch = progress.epoch;
            // The first report comes after one step; count the epoch from about one step earlier.
            epochStartedAt = now - 1;
          }
          if (now - lastDrawAt < REDRAW_INTERVAL_MS && progress.batch < progress.batches) return;
          lastDrawAt = now;
          const elapsed = (now - epochStartedAt) / 1000;
          const eta = progress.batch > 0 ? (elapsed / progress.batch) * (progress.batches - progress.batch) : Infinity;
          let text = formatProgressBar(label, totalEpochs, progress, eta);
          const width = stderr.columns || 120;
          if (text.length >= width) text = text.slice(0, Math.max(0, width - 1));
          stderr.write(`\r\x1b[2K${text}`);
          barShown = true;
        },
        onEpochEnd(epoch) {
          if (!quiet) line(formatEpochLine(label, totalEpochs, epoch));
        },
        finish: clearBar,
      };
    },
  };
}
