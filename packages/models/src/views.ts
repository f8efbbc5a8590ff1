/**
 * Views of an image: a mirror image and a shift, the one pixel transform that training's augmentation (parallel/
 * batches.ts) and test-time augmentation (predict-batch.ts) share; the views themselves are defined in @fmnist/internal,
 * which @fmnist/viz describes them from. Imports only @fmnist/internal, bundled in (workers load it).
 */
import { type ImageView, type TestTimeAugmentation, testTimeViews } from '@fmnist/internal';
import { ModelsError } from './errors.js';

export { type ImageView, type TestTimeAugmentation, testTimeViews };

/** The largest `shift` accepted: a quarter of the image. */
export const MAX_TEST_TIME_SHIFT = 7;

/** Throws E_MODELS_ARGUMENT, naming `name`, unless `value` is a valid {@link TestTimeAugmentation}. */
export function checkTestTimeAugmentation(value: unknown, name = 'testTimeAugmentation'): TestTimeAugmentation {
  const candidate = value as Partial<TestTimeAugmentation> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.flip !== 'boolean' ||
    !Number.isInteger(candidate.shift) ||
    candidate.shift! < 0 ||
    candidate.shift! > MAX_TEST_TIME_SHIFT
  ) {
    throw new ModelsError(
      'E_MODELS_ARGUMENT',
      `${name} must be { flip: true or false, shift: a whole number from 0 to ${MAX_TEST_TIME_SHIFT} }, got ${JSON.stringify(value)}`,
    );
  }
  return { flip: candidate.flip, shift: candidate.shift! };
}

/**
 * Writes `view` of the `rows x cols` image at `images[source...]` to `out[target...]`. Pixels moved in from outside
 * take the image's corner value (its background after normalization; 0 is not black after standardization).
 */
export function writeView(
  images: Float32Array,
  source: number,
  out: Float32Array,
  target: number,
  imageSize: { rows: number; cols: number },
  view: ImageView,
): void {
  const { rows, cols } = imageSize;
  const background = images[source]!;
  for (let row = 0; row < rows; row++) {
    const sourceRow = row - view.rows;
    for (let col = 0; col < cols; col++) {
      const shiftedCol = col - view.cols;
      const sourceCol = view.flip ? cols - 1 - shiftedCol : shiftedCol;
      const inside = sourceRow >= 0 && sourceRow < rows && sourceCol >= 0 && sourceCol < cols;
      out[target + row * cols + col] = inside ? images[source + sourceRow * cols + sourceCol]! : background;
    }
  }
}
