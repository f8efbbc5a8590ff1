import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { ModelsError } from './errors.js';
import { countParameters, createModel, MODEL_KINDS, recommendedTrainOptions } from './models.js';
import { DEFAULT_PRESET, getPreset, PRESET_NAMES, presetRecipe } from './presets.js';

describe('presets', () => {
  it('resolves each name to its documented recipe (the values RECIPES.md and the README list)', () => {
    expect(PRESET_NAMES).toEqual(['quick', 'standard', 'best']);
    expect(DEFAULT_PRESET).toBe('standard');
    const standard = getPreset('standard');
    expect(standard.cnn).toEqual({
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
      testTimeAugmentation: { flip: true, shift: 1 },
    });
    expect(standard.linear.testTimeAugmentation).toBeUndefined();
    expect(standard.linear.train).toEqual({ epochs: 10, batchSize: 64, learningRate: 1e-3, schedule: 'cosine' });
    const quick = getPreset('quick');
    expect(quick.cnn.model).toEqual({ blocks: [[16], [32]], denseUnits: [128], batchNorm: true });
    expect(quick.cnn.train.epochs).toBe(4);
    expect(quick.linear.train.epochs).toBe(3);
    expect(quick.cnn.testTimeAugmentation).toBeUndefined();
    const best = getPreset('best');
    expect(best.cnn.model).toEqual(standard.cnn.model);
    expect(best.cnn.testTimeAugmentation).toEqual({ flip: true, shift: 1 });
    expect(best.cnn.train).toMatchObject({
      epochs: 42,
      warmupEpochs: 2,
      earlyStopping: { patience: 8, restoreBest: true },
    });
    for (const name of PRESET_NAMES) expect(getPreset(name).description.length).toBeGreaterThan(10);
  });

  it('is what recommendedTrainOptions and createModel give by default: the standard preset', () => {
    for (const kind of MODEL_KINDS) expect(recommendedTrainOptions(kind)).toEqual(presetRecipe(kind, 'standard').train);
    const byDefault = createModel('cnn');
    const standard = createModel('cnn', presetRecipe('cnn').model);
    expect(countParameters(standard)).toBe(countParameters(byDefault));
    const quick = createModel('cnn', presetRecipe('cnn', 'quick').model);
    expect(countParameters(quick)).toBeLessThan(countParameters(standard) / 3);
    for (const model of [byDefault, standard, quick]) model.dispose();
  });

  it('hands out copies, so a caller changing one changes no other', () => {
    const first = getPreset('standard');
    first.cnn.train.epochs = 1;
    (first.cnn.model as { blocks?: number[][] }).blocks = [[1]];
    expect(getPreset('standard').cnn.train.epochs).toBe(14);
    expect(presetRecipe('cnn').model).toEqual({ batchNorm: true });
  });

  it('rejects an unknown name with a ModelsError that names the valid ones', () => {
    const error = (() => {
      try {
        return getPreset('fast' as never);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ModelsError.isInstance(error)).toBe(true);
    expect((error as ModelsError).code).toBe('E_MODELS_ARGUMENT');
    expect((error as Error).message).toBe("preset must be one of quick, standard, best, got 'fast'");
  });
});
