/**
 * Presets: named recipes (a model's options and its training settings) for each model kind, chosen on the validation
 * split only (see packages/models/RECIPES.md for the search behind them). `standard` is what `createModel` and
 * `recommendedTrainOptions` give; `quick` trades accuracy for a study of a couple of minutes; `best` trains longest.
 */
import { ModelsError } from './errors.js';
import type { CnnOptions, LinearOptions, MlpOptions } from './models.js';
import type { ModelKind, TrainOptions } from './types.js';
import type { TestTimeAugmentation } from './views.js';

export type PresetName = 'quick' | 'standard' | 'best';

export const PRESET_NAMES: readonly PresetName[] = ['quick', 'standard', 'best'];

export const DEFAULT_PRESET: PresetName = 'standard';

/** The settings of a recipe that are not data, callbacks, seeds or threads. */
export type RecipeTrainOptions = Omit<
  TrainOptions,
  'validation' | 'onEpochEnd' | 'onBatchEnd' | 'signal' | 'seed' | 'workers'
>;

/** How to build and train one model: the options for `createModel` and for `train`. */
export interface Recipe<Options = LinearOptions | MlpOptions | CnnOptions> {
  model: Options;
  train: RecipeTrainOptions;
  /** The views the trained model classifies each image through (predict's and evaluate's option); absent: none. */
  testTimeAugmentation?: TestTimeAugmentation;
}

export interface Preset {
  name: PresetName;
  /** One line for people: what the preset is for and what it costs. */
  description: string;
  linear: Recipe<LinearOptions>;
  mlp: Recipe<MlpOptions>;
  cnn: Recipe<CnnOptions>;
}

// Each value below was picked by validation accuracy in scripts/search-recipes.mjs; RECIPES.md lists every candidate.
const STANDARD: Preset = {
  name: 'standard',
  description: 'the default: the study in about 10 minutes on 2 cores, CNN about 93%',
  linear: { model: {}, train: { epochs: 10, batchSize: 64, learningRate: 1e-3, schedule: 'cosine' } },
  mlp: { model: {}, train: { epochs: 10, batchSize: 64, learningRate: 1e-3, schedule: 'cosine' } },
  cnn: {
    // Two blocks (32 and 64 filters) with batch norm, dense 256, dropout 0.3: createCnnModel's defaults.
    model: { batchNorm: true },
    train: {
      epochs: 14,
      batchSize: 128,
      learningRate: 2e-3,
      schedule: 'cosine',
      warmupEpochs: 1,
      labelSmoothing: 0.1,
      augmentation: { flip: true, maxShift: 2 },
    },
    // Ten views (the image and its 1-pixel shifts, each also mirrored): +0.10 to +0.44 points of validation accuracy
    // on the three seeds' models, at ten forward passes per image (RECIPES.md).
    testTimeAugmentation: { flip: true, shift: 1 },
  },
};

const PRESETS: Record<PresetName, Preset> = {
  quick: {
    name: 'quick',
    description: 'for trying things out: the study in about 2 minutes on 2 cores, CNN about 90%',
    linear: { model: {}, train: { epochs: 3, batchSize: 64, learningRate: 1e-3, schedule: 'cosine' } },
    mlp: { model: {}, train: { epochs: 3, batchSize: 64, learningRate: 1e-3, schedule: 'cosine' } },
    cnn: {
      model: { blocks: [[16], [32]], denseUnits: [128], batchNorm: true },
      train: {
        epochs: 4,
        batchSize: 128,
        learningRate: 2e-3,
        schedule: 'cosine',
        augmentation: { flip: true, maxShift: 1 },
      },
    },
  },
  standard: STANDARD,
  best: {
    ...STANDARD,
    name: 'best',
    description: 'the most accurate models: the standard CNN trained 3 times longer, about 40 minutes on 2 cores',
    cnn: {
      ...STANDARD.cnn,
      train: { ...STANDARD.cnn.train, epochs: 42, warmupEpochs: 2, earlyStopping: { patience: 8, restoreBest: true } },
    },
  },
};

/** The preset of that name (a copy: changing it changes nothing else). Throws E_MODELS_ARGUMENT for unknown names. */
export function getPreset(name: PresetName = DEFAULT_PRESET): Preset {
  const preset = (PRESETS as Record<string, Preset | undefined>)[name];
  if (preset === undefined) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `preset must be one of ${PRESET_NAMES.join(', ')}, got '${String(name)}'`,
    );
  }
  return structuredClone(preset);
}

/** One model kind's recipe in a preset. */
export function presetRecipe(kind: ModelKind, name: PresetName = DEFAULT_PRESET): Recipe {
  return getPreset(name)[kind];
}
