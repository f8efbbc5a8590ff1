/**
 * CI's check of the shipped weights: each model, loaded as users load it (with its test-time augmentation), scores on
 * the test split what it records.
 */
import { existsSync } from 'node:fs';
import { loadFashionMnist } from '@fmnist/dataset';
import { requirePrerequisite } from '@fmnist/internal/testing';
import { beforeAll, expect, it } from 'vitest';
import { countCorrect, selectEvaluationBackend } from '../scripts/evaluate.js';
import { loadPretrained, PRETRAINED_MODELS, pretrainedInfo } from './pretrained.js';

const DATA_DIR = '/usr/share/datasets/fashion-mnist';

requirePrerequisite(existsSync(`${DATA_DIR}/t10k-images-idx3-ubyte.gz`), 'the real data')(
  'the shipped models on the 10,000 test images',
  () => {
    let test: Awaited<ReturnType<typeof loadFashionMnist>>;
    beforeAll(async () => {
      await selectEvaluationBackend();
      test = await loadFashionMnist({ split: 'test', dataDir: DATA_DIR });
    });

    // Scored as users get it: through the model's own views (ten forward passes per image for a CNN with them, a
    // minute or more on a busy CPU), which must be the ones it records.
    it.each(PRETRAINED_MODELS)(
      '%s classifies exactly as many test images correctly as it records, through the views it records',
      async (name) => {
        const info = pretrainedInfo(name);
        const classifier = await loadPretrained(name);
        try {
          expect(classifier.testTimeAugmentation).toEqual(info.testTimeAugmentation);
          expect(await countCorrect(classifier, test)).toBe(info.test.shipped.correct);
        } finally {
          classifier.dispose();
        }
      },
      600_000,
    );
  },
);
