/**
 * Views of an image: a mirror image and a shift, the one pixel transform that training's augmentation (parallel/
 * batches.ts) and test-time augmentation (predict-batch.ts) share. Imports no other @fmnist package (workers load it).
 */
import { ModelsError } from './errors.js';

/** One view of an image: mirrored left-right or not, then moved `rows` down and `cols` right (negative: up, left). */
export interface ImageView {
  flip: boolean;
  rows: number;
  cols: number;
}

/**
 * Test-time augmentation: the model classifies several views of each image and the class probabilities are averaged.
 * `{ flip: true, shift: 1 }` means ten views: the image and copies moved one pixel up, down, left and right, each as it
 * is and mirrored left-right.
 */
export interface TestTimeAugmentation {
  /** Also classify each view's mirror image (left-right). */
  flip: boolean;
  /** Also classify copies moved this many pixels up, down, left and right (0: the image alone). */
  shift: number;
}

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

/** The views test-time augmentation averages over, the image itself first; one view (the image) without it. */
export function testTimeViews(augmentation: TestTimeAugmentation | undefined): ImageView[] {
  const shifts: [number, number][] = [[0, 0]];
  const shift = augmentation?.shift ?? 0;
  if (shift > 0) shifts.push([-shift, 0], [shift, 0], [0, -shift], [0, shift]);
  const views = shifts.map(([rows, cols]) => ({ flip: false, rows, cols }));
  if (augmentation?.flip) views.push(...shifts.map(([rows, cols]) => ({ flip: true, rows, cols })));
  return views;
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
