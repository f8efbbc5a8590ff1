/** CI's check of the shipped weights: each model, loaded as users load it, scores on the test split what it records. */
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

    it.each(PRETRAINED_MODELS)('%s classifies exactly as many test images correctly as it records', async (name) => {
      const classifier = await loadPretrained(name);
      try {
        expect(await countCorrect(classifier, test)).toBe(pretrainedInfo(name).test.shipped.correct);
      } finally {
        classifier.dispose();
      }
    });
  },
);
