/** The one way shipped models are scored, shared by the import script and the package's accuracy test. */
import { normalizeImages } from '@fmnist/dataset';
import { type Classifier, predict, selectBackend } from '@fmnist/models';

/**
 * The backend shipped models are scored on: wasm with this package's kernels (5 s for the CNN on 10,000 images, where
 * cpu takes 90). Its kernels are plain WebAssembly SIMD on Node 20 (`kernelVariant()` 'simd128'), whose results do
 * not depend on the machine.
 */
export const EVALUATION_BACKEND = 'wasm';

/** Selects {@link EVALUATION_BACKEND}; call it before {@link countCorrect}. */
export async function selectEvaluationBackend(): Promise<void> {
  await selectBackend(EVALUATION_BACKEND);
}

/** Images per forward pass: fixed, since the last bits of a probability may depend on it. */
export const EVALUATION_BATCH_SIZE = 256;

/**
 * How many of `count` images (28x28 grey bytes) `classifier` puts in their labelled class, on the calling thread, as
 * the classifier classifies them: through its `testTimeAugmentation` views (the model's own unless it was turned off),
 * so a model meant to average ten views is scored on ten views.
 */
export async function countCorrect(
  classifier: Classifier,
  split: { images: Uint8Array; labels: Uint8Array; count: number },
): Promise<number> {
  const images = normalizeImages(split.images, classifier.metadata.normalization);
  const { testTimeAugmentation } = classifier;
  const { predictions } = await predict(classifier.model, images, {
    batchSize: EVALUATION_BATCH_SIZE,
    workers: 1,
    ...(testTimeAugmentation === undefined ? {} : { testTimeAugmentation }),
  });
  let correct = 0;
  for (let i = 0; i < split.count; i++) if (predictions[i] === split.labels[i]) correct++;
  return correct;
}
