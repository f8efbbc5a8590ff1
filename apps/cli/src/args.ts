/**
 * Flags shared by several commands, each defined once: its citty definition, the range it accepts and its parser. A
 * command spreads the definitions into its `args` (refining a description where its meaning narrows) and reads the
 * values with the parsers, so `--seed` or `--workers` accept the same values everywhere.
 */
import { resolve } from 'node:path';
import { DEFAULT_PRESET, getPreset, MODEL_KINDS, type ModelKind, PRESET_NAMES, type PresetName } from '@fmnist/models';
import type { ArgsDef } from 'citty';
import { UsageError } from './errors.js';

/** What citty hands a command: flag names to strings, booleans or the positionals. */
export type FlagValues = Record<string, unknown>;

/** A string flag's value, or undefined when absent. */
export function textFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** Parses a whole number flag, naming the flag and the accepted range on failure. */
export function parseIntegerFlag(
  flag: string,
  value: string | undefined,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${value}'`);
  }
  return parsed;
}

/** Checks a flag against a closed set of values, naming the accepted ones on failure. */
export function parseChoiceFlag<T extends string>(
  flag: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${value}'`);
  }
  return value as T;
}

export const outputArgs = {
  json: { type: 'boolean', description: 'Print one JSON object on stdout; logs go to stderr' },
  quiet: { type: 'boolean', description: 'Print only errors and the result' },
  verbose: { type: 'boolean', description: 'Print debug logs and stack traces' },
} as const satisfies ArgsDef;

/** --test-time-augmentation (on by default): score or export through the model's test-time views, as it was tested. */
export const testTimeAugmentationArgs = {
  'test-time-augmentation': {
    type: 'boolean',
    default: true,
    description:
      "Average the model's test-time views (metadata.json's testTimeAugmentation: mirror images and shifted copies), " +
      'as its test figures were measured; --no-test-time-augmentation uses the image alone',
  },
} as const satisfies ArgsDef;

/** Whether --test-time-augmentation is on (it is unless --no-test-time-augmentation). */
export function parseTestTimeAugmentation(values: FlagValues): boolean {
  return values['test-time-augmentation'] !== false;
}

export const dataArgs = {
  'data-dir': {
    type: 'string',
    description:
      'Folder holding the FashionMNIST IDX files (.gz or raw); default: FMNIST_DATA_DIR, the cache, system folders',
    valueHint: 'DIR',
  },
} as const satisfies ArgsDef;

/** --data-dir as given (the dataset package resolves it), or undefined. */
export function parseDataDir(values: FlagValues): string | undefined {
  return textFlag(values, 'data-dir');
}

export const modelDirArgs = {
  'model-dir': {
    type: 'string',
    description: 'Folder (or http(s) URL) of a saved model, e.g. runs/<run>/models/cnn',
    valueHint: 'DIR',
    required: true,
  },
} as const satisfies ArgsDef;

/** --model-dir: an http(s) URL as given, else an absolute path. */
export function parseModelDir(values: FlagValues): string {
  const value = textFlag(values, 'model-dir');
  if (!value) throw new UsageError('--model-dir is required: the folder a model was saved to');
  return /^https?:\/\//i.test(value) ? value : resolve(value);
}

export const modelArgs = {
  model: { type: 'string', description: `Model: ${MODEL_KINDS.join(', ')}`, valueHint: 'KIND' },
} as const satisfies ArgsDef;

/** --model: one of the model kinds, or undefined when absent. */
export function parseModelKind(values: FlagValues): ModelKind | undefined {
  return parseChoiceFlag('model', textFlag(values, 'model'), MODEL_KINDS);
}

export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

export const backendArgs = {
  backend: {
    type: 'string',
    description: `TensorFlow.js backend: ${BACKEND_NAMES.join(', ')} (auto: tfjs-node if installed, else wasm, else cpu)`,
    default: 'auto',
    valueHint: 'B',
  },
} as const satisfies ArgsDef;

/** --backend: one of {@link BACKEND_NAMES}; 'auto' when absent. */
export function parseBackend(values: FlagValues): (typeof BACKEND_NAMES)[number] {
  return parseChoiceFlag('backend', textFlag(values, 'backend'), BACKEND_NAMES) ?? 'auto';
}

export const MAX_WORKERS = 64;

export const workersArgs = {
  workers: {
    type: 'string',
    description: `Threads for training and inference: auto (one per core) or 1 to ${MAX_WORKERS} (1: the main thread)`,
    default: 'auto',
    valueHint: 'N',
  },
} as const satisfies ArgsDef;

/** --workers: 'auto' (also when absent) or a whole number from 1 to {@link MAX_WORKERS}. */
export function parseWorkers(values: FlagValues): 'auto' | number {
  const value = textFlag(values, 'workers');
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_WORKERS) {
    throw new UsageError(`--workers must be auto or a whole number from 1 to ${MAX_WORKERS}, got '${value}'`);
  }
  return Number(value);
}

/**
 * --workers where a command runs once per count (bench): 'auto' (also when absent), one count, or a comma list of
 * distinct counts from 1 to {@link MAX_WORKERS} (`1,2`), in the order given.
 */
export function parseWorkerCounts(values: FlagValues): ('auto' | number)[] {
  const value = textFlag(values, 'workers');
  if (value === undefined || value === 'auto') return ['auto'];
  const counts: number[] = [];
  for (const item of value.split(',')) {
    const count = Number(item);
    if (!/^\d+$/.test(item) || count < 1 || count > MAX_WORKERS) {
      throw new UsageError(
        `--workers must be auto, or whole numbers from 1 to ${MAX_WORKERS} separated by commas, got '${value}'` +
          (item === '' ? ' (an empty entry)' : ` ('${item}' is not one)`),
      );
    }
    if (counts.includes(count)) throw new UsageError(`--workers lists ${count} twice in '${value}'`);
    counts.push(count);
  }
  return counts;
}

/**
 * Seeds range over the 32-bit unsigned integers: the seeded generator of @fmnist/internal (splits, shuffles,
 * augmentation, dropout) takes its seed modulo 2^32, so a larger one would repeat a smaller one's run.
 */
export const MAX_SEED = 2 ** 32 - 1;

export const seedArgs = {
  seed: {
    type: 'string',
    description: `Seed of every random choice: subsets, split, initial weights, shuffling, augmentation (0 to ${MAX_SEED})`,
    default: '0',
    valueHint: 'S',
  },
} as const satisfies ArgsDef;

/** --seed: a whole number from 0 to {@link MAX_SEED}; 0 when absent. */
export function parseSeed(values: FlagValues): number {
  return parseIntegerFlag('seed', textFlag(values, 'seed'), { min: 0, max: MAX_SEED }) ?? 0;
}

/** The most seeds one `--seeds` runs: each is a whole study. */
export const MAX_SEED_COUNT = 100;

export const seedsArgs = {
  seeds: {
    type: 'string',
    description:
      'Run the study once per seed: a comma list of distinct seeds (0,1,2), or a count N for N seeds counting up ' +
      `from --seed (3: seeds 0, 1, 2; a list takes no --seed); up to ${MAX_SEED_COUNT}. Each seed gets its own ` +
      'folder, seed-<S>/, and the run folder the aggregate over them',
    valueHint: 'LIST|N',
  },
} as const satisfies ArgsDef;

/**
 * The seeds of `--seeds` (undefined when absent): a comma list of distinct seeds from 0 to {@link MAX_SEED}, in the
 * order given, or a count from 1 to {@link MAX_SEED_COUNT} of consecutive seeds from `--seed` (0 when absent). A list
 * and `--seed` together are refused, since both would choose the seeds.
 */
export function parseSeeds(values: FlagValues): number[] | undefined {
  if (values.seeds === undefined) return undefined;
  // `--seeds` with nothing after it reaches here as `true` (or an empty string).
  const value = textFlag(values, 'seeds') ?? '';
  const usage =
    `--seeds must be a count from 1 to ${MAX_SEED_COUNT} or a comma list of distinct seeds from 0 to ${MAX_SEED} ` +
    `(e.g. 3 or 0,1,2), got '${value}'`;
  if (!value.includes(',')) {
    const count = Number(value);
    if (!/^\d+$/.test(value) || count < 1 || count > MAX_SEED_COUNT) {
      throw new UsageError(`${usage}${/^\d+$/.test(value) ? ` (a count of ${count})` : ''}`);
    }
    const first = parseSeed(values);
    if (first + count - 1 > MAX_SEED) {
      throw new UsageError(`--seed ${first} with --seeds ${count} would go past the last seed, ${MAX_SEED}`);
    }
    return Array.from({ length: count }, (_, index) => first + index);
  }
  if (textFlag(values, 'seed') !== undefined) {
    throw new UsageError(
      `--seed and a --seeds list both choose the seeds: list them all in --seeds (got --seed ${textFlag(values, 'seed')} ` +
        `and --seeds ${value}), or give --seed with a --seeds count`,
    );
  }
  const seeds: number[] = [];
  for (const item of value.split(',')) {
    if (!/^\d+$/.test(item) || Number(item) > MAX_SEED) {
      throw new UsageError(`${usage} (${item === '' ? 'an empty entry' : `'${item}' is not a seed`})`);
    }
    const seed = Number(item);
    if (seeds.includes(seed)) throw new UsageError(`${usage} (${seed} is listed twice)`);
    seeds.push(seed);
  }
  if (seeds.length > MAX_SEED_COUNT) throw new UsageError(`${usage} (${seeds.length} seeds)`);
  return seeds;
}

export const presetArgs = {
  preset: {
    type: 'string',
    description: `Recipe of each model (architecture and training settings): ${PRESET_NAMES.map(
      (name) => `${name}, ${getPreset(name).description}`,
    ).join('; ')}. Flags such as --epochs override its values`,
    default: DEFAULT_PRESET,
    valueHint: 'NAME',
  },
} as const satisfies ArgsDef;

/** --preset: one of @fmnist/models' presets; {@link DEFAULT_PRESET} when absent. */
export function parsePreset(values: FlagValues): PresetName {
  return parseChoiceFlag('preset', textFlag(values, 'preset'), PRESET_NAMES) ?? DEFAULT_PRESET;
}

export const MAX_EPOCHS = 1000;

export const epochsArgs = {
  epochs: { type: 'string', description: `Passes over the training images (1 to ${MAX_EPOCHS})`, valueHint: 'N' },
} as const satisfies ArgsDef;

/** An epochs flag (--epochs, --cnn-epochs...): a whole number from 1 to {@link MAX_EPOCHS}, or undefined. */
export function parseEpochs(values: FlagValues, flag = 'epochs'): number | undefined {
  return parseIntegerFlag(flag, textFlag(values, flag), { min: 1, max: MAX_EPOCHS });
}

/** The fewest images --limit keeps: ten per class, so each class is in every stratified subset and split. */
export const MIN_LIMIT = 100;
export const MAX_LIMIT = 60_000;

export const limitArgs = {
  limit: {
    type: 'string',
    description: `Use a stratified subset of N training and at most N test images (${MIN_LIMIT} to ${MAX_LIMIT})`,
    valueHint: 'N',
  },
} as const satisfies ArgsDef;

/** --limit: a whole number from {@link MIN_LIMIT} to {@link MAX_LIMIT}, or undefined (all images). */
export function parseLimit(values: FlagValues): number | undefined {
  return parseIntegerFlag('limit', textFlag(values, 'limit'), { min: MIN_LIMIT, max: MAX_LIMIT });
}

/** --out: what a command writes to; each command gives its own description (what goes there, the default). */
export function outArgs(description: string) {
  return { out: { type: 'string', description, valueHint: 'DIR' } } as const satisfies ArgsDef;
}

/** --out as an absolute path, or undefined when absent (the command picks its default). */
export function parseOut(values: FlagValues): string | undefined {
  const value = textFlag(values, 'out');
  return value === undefined ? undefined : resolve(value);
}
