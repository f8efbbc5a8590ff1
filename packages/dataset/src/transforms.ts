/**
 * Image transformations for robustness studies: pure functions on a split's image layout (`count * rows * cols` bytes,
 * row-major, 0 = background to 255). Each returns a new Uint8Array and leaves its input untouched; results are rounded
 * and clipped to 0..255, and pixels that no input pixel covers get the background, 0. Seeded ones draw from the
 * project's one generator, so the same seed gives the same images on every platform.
 */
import { mixSeeds } from '@fmnist/internal';
import { DatasetError } from './errors.js';
import { createRandom } from './random.js';

/** Height and width of each image, in pixels. */
export interface ImageSize {
  rows: number;
  cols: number;
}

function argumentError(message: string): DatasetError {
  return new DatasetError('E_DATASET_ARGUMENT', message);
}

/** Checks the size and that `images` holds whole images; returns the pixels per image. */
function checkImages(images: Uint8Array, size: ImageSize, caller: string): number {
  const { rows, cols } = size ?? ({} as Partial<ImageSize>);
  for (const [name, value] of [
    ['rows', rows],
    ['cols', cols],
  ] as const) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw argumentError(`${caller}: size.${name} must be a whole number of at least 1, got ${String(value)}`);
    }
  }
  const pixels = (rows as number) * (cols as number);
  if (!(images instanceof Uint8Array) || images.length % pixels !== 0) {
    const length = images instanceof Uint8Array ? images.length : String(images);
    throw argumentError(
      `${caller}: images must be a Uint8Array of whole ${rows}x${cols} images (a multiple of ${pixels} bytes), got ${length}`,
    );
  }
  return pixels;
}

function checkFinite(caller: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw argumentError(`${caller}: ${name} must be a finite number, got ${String(value)}`);
  }
  return value;
}

function checkAtLeastZero(caller: string, name: string, value: number): number {
  checkFinite(caller, name, value);
  if (value < 0) throw argumentError(`${caller}: ${name} must be at least 0, got ${value}`);
  return value;
}

/** A value rounded to the nearest whole number (halves up) and clipped to 0..255. */
function toByte(value: number): number {
  const rounded = Math.round(value);
  return Math.min(255, Math.max(0, rounded));
}

/**
 * Moves every image by whole pixels: `dx` to the right (negative: left), `dy` down (negative: up); pixels shifted in
 * from outside are 0. `|dx|` may be at most `cols` and `|dy|` at most `rows`.
 */
export function shiftImages(images: Uint8Array, size: ImageSize, dx: number, dy: number): Uint8Array {
  const pixels = checkImages(images, size, 'shiftImages');
  const { rows, cols } = size;
  for (const [name, value, limit] of [
    ['dx', dx, cols],
    ['dy', dy, rows],
  ] as const) {
    if (!Number.isSafeInteger(value) || Math.abs(value) > limit) {
      throw argumentError(
        `shiftImages: ${name} must be a whole number from -${limit} to ${limit}, got ${String(value)}`,
      );
    }
  }
  const output = new Uint8Array(images.length);
  // Output pixel (r, c) is input pixel (r - dy, c - dx); only the columns both share are copied.
  const firstColumn = Math.max(0, dx);
  const lastColumn = Math.min(cols, cols + dx);
  if (lastColumn <= firstColumn) return output;
  for (let offset = 0; offset < images.length; offset += pixels) {
    for (let row = Math.max(0, dy); row < Math.min(rows, rows + dy); row++) {
      const source = offset + (row - dy) * cols + firstColumn - dx;
      output.set(images.subarray(source, source + lastColumn - firstColumn), offset + row * cols + firstColumn);
    }
  }
  return output;
}

/**
 * Rotates every image about its center by `degrees` (positive: counter-clockwise as displayed, rows going down), with
 * bilinear interpolation; neighbors outside the image count as 0. Multiples of 90 degrees move pixels exactly.
 */
export function rotateImages(images: Uint8Array, size: ImageSize, degrees: number): Uint8Array {
  const pixels = checkImages(images, size, 'rotateImages');
  checkFinite('rotateImages', 'degrees', degrees);
  const { rows, cols } = size;
  let cos: number;
  let sin: number;
  const quarter = degrees / 90;
  if (Number.isInteger(quarter)) {
    // Exact values, so that quarter turns move pixels without interpolation error.
    const turn = ((quarter % 4) + 4) % 4;
    cos = [1, 0, -1, 0][turn] as number;
    sin = [0, 1, 0, -1][turn] as number;
  } else {
    const radians = (degrees * Math.PI) / 180;
    cos = Math.cos(radians);
    sin = Math.sin(radians);
  }
  const centerRow = (rows - 1) / 2;
  const centerColumn = (cols - 1) / 2;
  // The sampling plan is the same for every image: for each output pixel, its four source neighbors and their
  // bilinear weights (a neighbor outside the image gets weight 0, so it reads as background).
  const sources = new Int32Array(pixels * 4);
  const weights = new Float64Array(pixels * 4);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < cols; column++) {
      // Coordinates with y up; the source is the output position rotated back by -degrees.
      const x = column - centerColumn;
      const y = centerRow - row;
      const sourceColumn = centerColumn + x * cos + y * sin;
      const sourceRow = centerRow - (-x * sin + y * cos);
      const top = Math.floor(sourceRow);
      const left = Math.floor(sourceColumn);
      const down = sourceRow - top;
      const right = sourceColumn - left;
      const slot = (row * cols + column) * 4;
      const neighbors = [
        [top, left, (1 - down) * (1 - right)],
        [top, left + 1, (1 - down) * right],
        [top + 1, left, down * (1 - right)],
        [top + 1, left + 1, down * right],
      ] as const;
      neighbors.forEach(([sourceRowIndex, sourceColumnIndex, weight], k) => {
        const inside =
          sourceRowIndex >= 0 && sourceRowIndex < rows && sourceColumnIndex >= 0 && sourceColumnIndex < cols;
        sources[slot + k] = inside ? sourceRowIndex * cols + sourceColumnIndex : 0;
        weights[slot + k] = inside ? weight : 0;
      });
    }
  }
  const output = new Uint8Array(images.length);
  for (let offset = 0; offset < images.length; offset += pixels) {
    for (let pixel = 0; pixel < pixels; pixel++) {
      const slot = pixel * 4;
      const value =
        (weights[slot] as number) * (images[offset + (sources[slot] as number)] as number) +
        (weights[slot + 1] as number) * (images[offset + (sources[slot + 1] as number)] as number) +
        (weights[slot + 2] as number) * (images[offset + (sources[slot + 2] as number)] as number) +
        (weights[slot + 3] as number) * (images[offset + (sources[slot + 3] as number)] as number);
      output[offset + pixel] = toByte(value);
    }
  }
  return output;
}

/** Mirrors every image left to right. */
export function flipImagesHorizontally(images: Uint8Array, size: ImageSize): Uint8Array {
  checkImages(images, size, 'flipImagesHorizontally');
  const { cols } = size;
  const output = new Uint8Array(images.length);
  for (let start = 0; start < images.length; start += cols) {
    for (let column = 0; column < cols; column++) output[start + column] = images[start + cols - 1 - column] as number;
  }
  return output;
}

/**
 * Adds independent Gaussian noise of standard deviation `std` on the [0, 1] pixel scale (so `255 * std` on bytes) to
 * every pixel, background included, then rounds and clips. The same `seed` gives the same noise.
 */
export function addGaussianNoise(images: Uint8Array, size: ImageSize, std: number, seed: number): Uint8Array {
  checkImages(images, size, 'addGaussianNoise');
  checkAtLeastZero('addGaussianNoise', 'std', std);
  checkFinite('addGaussianNoise', 'seed', seed);
  const output = new Uint8Array(images.length);
  const spread = 255 * std;
  const random = createRandom(seed);
  // Marsaglia's polar method: a point drawn uniformly in the unit disk gives two independent standard normal values.
  for (let index = 0; index < images.length; index += 2) {
    let u: number;
    let v: number;
    let radius: number;
    do {
      u = 2 * random() - 1;
      v = 2 * random() - 1;
      radius = u * u + v * v;
    } while (radius >= 1 || radius === 0);
    const scale = spread * Math.sqrt((-2 * Math.log(radius)) / radius);
    output[index] = toByte((images[index] as number) + scale * u);
    if (index + 1 < images.length) output[index + 1] = toByte((images[index + 1] as number) + scale * v);
  }
  return output;
}

/**
 * Blacks out one `square` x `square` block of every image (set to 0), at a seeded random position wholly inside the
 * image. `square` is a whole number from 0 to the smaller of rows and cols.
 */
export function occludeImages(images: Uint8Array, size: ImageSize, square: number, seed: number): Uint8Array {
  const pixels = checkImages(images, size, 'occludeImages');
  const { rows, cols } = size;
  const largest = Math.min(rows, cols);
  if (!Number.isSafeInteger(square) || square < 0 || square > largest) {
    throw argumentError(
      `occludeImages: square must be a whole number from 0 to ${largest} (the ${rows}x${cols} image), got ${String(square)}`,
    );
  }
  checkFinite('occludeImages', 'seed', seed);
  const output = images.slice();
  const random = createRandom(seed);
  for (let offset = 0; offset < images.length; offset += pixels) {
    const top = Math.floor(random() * (rows - square + 1));
    const left = Math.floor(random() * (cols - square + 1));
    for (let row = top; row < top + square; row++) {
      output.fill(0, offset + row * cols + left, offset + row * cols + left + square);
    }
  }
  return output;
}

/**
 * Scales every image's contrast about its own mean `m`: `p' = m + factor * (p - m)` (1 = unchanged, 0 = flat grey at
 * the mean, above 1 = more contrast), rounded and clipped.
 */
export function scaleContrast(images: Uint8Array, size: ImageSize, factor: number): Uint8Array {
  const pixels = checkImages(images, size, 'scaleContrast');
  checkAtLeastZero('scaleContrast', 'factor', factor);
  const output = new Uint8Array(images.length);
  for (let offset = 0; offset < images.length; offset += pixels) {
    let sum = 0;
    for (let index = offset; index < offset + pixels; index++) sum += images[index] as number;
    const mean = sum / pixels;
    for (let index = offset; index < offset + pixels; index++) {
      output[index] = toByte(mean + factor * ((images[index] as number) - mean));
    }
  }
  return output;
}

/** Swaps dark and light: `255 - p` for every pixel (the background becomes white). */
export function invertImages(images: Uint8Array): Uint8Array {
  if (!(images instanceof Uint8Array)) {
    throw argumentError(`invertImages: images must be a Uint8Array, got ${String(images)}`);
  }
  const output = new Uint8Array(images.length);
  for (let index = 0; index < images.length; index++) output[index] = 255 - (images[index] as number);
  return output;
}

/** The kinds of change a robustness study applies to the test images. */
export type RobustnessFamily = 'shift' | 'rotation' | 'flip' | 'noise' | 'occlusion' | 'contrast' | 'invert';

export const ROBUSTNESS_FAMILIES: readonly RobustnessFamily[] = [
  'shift',
  'rotation',
  'flip',
  'noise',
  'occlusion',
  'contrast',
  'invert',
];

/**
 * One transformed copy (or set of copies) of the test images. `severity` is in the family's unit: pixels for shift and
 * occlusion, degrees for rotation, the noise's standard deviation on [0, 1] pixels, the contrast factor, and 1 for flip
 * and invert.
 */
export interface RobustnessCondition {
  family: RobustnessFamily;
  severity: number;
  /** For people: 'shift 2 px', 'rotation 20°', 'noise 0.2', 'contrast 50%'... */
  label: string;
}

function condition(family: RobustnessFamily, severity: number, label: string): RobustnessCondition {
  return Object.freeze({ family, severity, label });
}

/**
 * The standard conditions, in order: shifts of 1 to 4 px; rotations of 10, 20 and 30 degrees; horizontal flip;
 * Gaussian noise of 0.05, 0.1, 0.2 and 0.3; occluding squares of 6, 10 and 14 px; contrast at 50% and 25%; inverted.
 */
export const ROBUSTNESS_CONDITIONS: readonly RobustnessCondition[] = Object.freeze([
  ...[1, 2, 3, 4].map((pixels) => condition('shift', pixels, `shift ${pixels} px`)),
  ...[10, 20, 30].map((degrees) => condition('rotation', degrees, `rotation ${degrees}°`)),
  condition('flip', 1, 'flip'),
  ...[0.05, 0.1, 0.2, 0.3].map((std) => condition('noise', std, `noise ${std}`)),
  ...[6, 10, 14].map((square) => condition('occlusion', square, `occlusion ${square} px`)),
  ...[0.5, 0.25].map((factor) => condition('contrast', factor, `contrast ${factor * 100}%`)),
  condition('invert', 1, 'invert'),
]);

/**
 * The transformed copies of `images` for one condition: shift gives 4 copies (right, left, down, up by `severity`
 * px), rotation 2 (by +`severity` and -`severity` degrees), every other family 1. Noise and occlusion draw from a seed
 * mixed from `seed`, the family and the severity, so every model evaluated with the same seed sees the same copies.
 */
export function transformForCondition(
  images: Uint8Array,
  size: ImageSize,
  condition: RobustnessCondition,
  seed: number,
): Uint8Array[] {
  const caller = 'transformForCondition';
  checkImages(images, size, caller);
  checkFinite(caller, 'seed', seed);
  const { family, severity } = condition ?? ({} as Partial<RobustnessCondition>);
  const familyIndex = ROBUSTNESS_FAMILIES.indexOf(family as RobustnessFamily);
  if (familyIndex < 0) {
    throw argumentError(
      `${caller}: condition.family must be one of ${ROBUSTNESS_FAMILIES.join(', ')}, got '${String(family)}'`,
    );
  }
  checkFinite(caller, 'condition.severity', severity as number);
  const conditionSeed = mixSeeds(seed >>> 0, familyIndex, Math.round((severity as number) * 1_000_000));
  switch (family as RobustnessFamily) {
    case 'shift': {
      const pixels = severity as number;
      const limit = Math.min(size.rows, size.cols);
      if (!Number.isSafeInteger(pixels) || pixels < 0 || pixels > limit) {
        throw argumentError(
          `${caller}: condition.severity of a shift must be a whole number from 0 to ${limit} px, got ${pixels}`,
        );
      }
      return [
        shiftImages(images, size, pixels, 0),
        shiftImages(images, size, -pixels, 0),
        shiftImages(images, size, 0, pixels),
        shiftImages(images, size, 0, -pixels),
      ];
    }
    case 'rotation':
      return [rotateImages(images, size, severity as number), rotateImages(images, size, -(severity as number))];
    case 'flip':
      return [flipImagesHorizontally(images, size)];
    case 'noise':
      return [addGaussianNoise(images, size, severity as number, conditionSeed)];
    case 'occlusion':
      return [occludeImages(images, size, severity as number, conditionSeed)];
    case 'contrast':
      return [scaleContrast(images, size, severity as number)];
    case 'invert':
      return [invertImages(images)];
  }
}
