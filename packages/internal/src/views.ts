/**
 * Test-time augmentation's views, shared by @fmnist/models (which classifies through them) and @fmnist/viz (which
 * describes them): one definition of which views `{ flip, shift }` means.
 */

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

/** The views test-time augmentation averages over, the image itself first; one view (the image) without it. */
export function testTimeViews(augmentation: TestTimeAugmentation | undefined): ImageView[] {
  const shifts: [number, number][] = [[0, 0]];
  const shift = augmentation?.shift ?? 0;
  if (shift > 0) shifts.push([-shift, 0], [shift, 0], [0, -shift], [0, shift]);
  const views = shifts.map(([rows, cols]) => ({ flip: false, rows, cols }));
  if (augmentation?.flip) views.push(...shifts.map(([rows, cols]) => ({ flip: true, rows, cols })));
  return views;
}
