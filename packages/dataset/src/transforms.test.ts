import { describe, expect, it } from 'vitest';
import { DatasetError } from './errors.js';
import { createRandom } from './random.js';
import {
  addGaussianNoise,
  flipImagesHorizontally,
  invertImages,
  occludeImages,
  ROBUSTNESS_CONDITIONS,
  rotateImages,
  scaleContrast,
  shiftImages,
  transformForCondition,
} from './transforms.js';

const SIZE = { rows: 5, cols: 6 };
const PIXELS = SIZE.rows * SIZE.cols;

/** `count` images of seeded random bytes. */
function randomImages(count: number, size = SIZE, seed = 7): Uint8Array {
  const random = createRandom(seed);
  return Uint8Array.from({ length: count * size.rows * size.cols }, () => Math.floor(random() * 256));
}

/** One image, all 0 but for `value` at (row, col). */
function onePixel(row: number, col: number, size = SIZE, value = 200): Uint8Array {
  const image = new Uint8Array(size.rows * size.cols);
  image[row * size.cols + col] = value;
  return image;
}

function expectArgumentError(action: () => unknown, named: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(DatasetError.isInstance(caught)).toBe(true);
  expect((caught as DatasetError).code).toBe('E_DATASET_ARGUMENT');
  expect((caught as DatasetError).message).toMatch(named);
}

describe('shiftImages', () => {
  it('moves a pixel exactly dx right and dy down, and fills what comes in with 0', () => {
    for (const [dx, dy] of [
      [1, 0],
      [-2, 0],
      [0, 3],
      [2, -1],
      [-3, -4],
    ] as const) {
      const shifted = shiftImages(onePixel(2, 3), SIZE, dx, dy);
      const expected = new Uint8Array(PIXELS);
      const row = 2 + dy;
      const col = 3 + dx;
      if (row >= 0 && row < SIZE.rows && col >= 0 && col < SIZE.cols) expected[row * SIZE.cols + col] = 200;
      expect(Array.from(shifted), `dx ${dx}, dy ${dy}`).toEqual(Array.from(expected));
    }
  });

  it('fills the uncovered band with 0 and keeps the rest, image by image', () => {
    const images = randomImages(3).map((value) => Math.max(1, value));
    const shifted = shiftImages(images, SIZE, 0, 2);
    for (let image = 0; image < 3; image++) {
      const offset = image * PIXELS;
      expect(Array.from(shifted.subarray(offset, offset + 2 * SIZE.cols))).toEqual(new Array(2 * SIZE.cols).fill(0));
      expect(Array.from(shifted.subarray(offset + 2 * SIZE.cols, offset + PIXELS))).toEqual(
        Array.from(images.subarray(offset, offset + PIXELS - 2 * SIZE.cols)),
      );
    }
  });

  it('returns a new array, leaves the input alone, and a whole-width shift leaves only background', () => {
    const images = randomImages(2);
    const copy = images.slice();
    const same = shiftImages(images, SIZE, 0, 0);
    expect(same).not.toBe(images);
    expect(Array.from(same)).toEqual(Array.from(images));
    expect(Array.from(shiftImages(images, SIZE, SIZE.cols, 0))).toEqual(new Array(2 * PIXELS).fill(0));
    expect(Array.from(images)).toEqual(Array.from(copy));
  });

  it('rejects shifts that are not whole numbers or pass the image, naming dx or dy', () => {
    expectArgumentError(() => shiftImages(randomImages(1), SIZE, 1.5, 0), /dx .*got 1\.5/);
    expectArgumentError(() => shiftImages(randomImages(1), SIZE, 0, -6), /dy must be .* -5 to 5, got -6/);
    expectArgumentError(() => shiftImages(randomImages(1), SIZE, Number.NaN, 0), /dx .*got NaN/);
  });
});

describe('rotateImages', () => {
  it('rotation by 0 (and by 360) is the identity', () => {
    const images = randomImages(2);
    expect(Array.from(rotateImages(images, SIZE, 0))).toEqual(Array.from(images));
    expect(Array.from(rotateImages(images, SIZE, 360))).toEqual(Array.from(images));
  });

  it('90 degrees turns a square image counter-clockwise: the top-right corner goes to the top left', () => {
    const square = { rows: 4, cols: 4 };
    expect(Array.from(rotateImages(onePixel(0, 3, square), square, 90))).toEqual(Array.from(onePixel(0, 0, square)));
    expect(Array.from(rotateImages(onePixel(1, 2, square), square, 90))).toEqual(Array.from(onePixel(1, 1, square)));
    expect(Array.from(rotateImages(onePixel(0, 3, square), square, -90))).toEqual(Array.from(onePixel(3, 3, square)));
    const images = randomImages(2, square);
    expect(Array.from(rotateImages(rotateImages(images, square, 90), square, -90))).toEqual(Array.from(images));
  });

  it('interpolates bilinearly: 45 degrees spreads a pixel right of the center over its up-right neighbors', () => {
    const size = { rows: 3, cols: 3 };
    const rotated = rotateImages(onePixel(1, 2, size, 255), size, 45);
    const c = Math.SQRT1_2;
    // Output (0, 2) samples the source at (1, 1 + √2): weight 2 - √2 on (1, 2). Outputs (0, 1) and (1, 2) sample it
    // at (1 - c, 1 + c) and (1 + c, 1 + c): weight c(1 - c) on (1, 2). The center stays 0.
    expect(rotated[0 * 3 + 2]).toBe(Math.round(255 * (2 - Math.SQRT2)));
    expect(rotated[0 * 3 + 1]).toBe(Math.round(255 * c * (1 - c)));
    expect(rotated[1 * 3 + 2]).toBe(Math.round(255 * c * (1 - c)));
    expect(rotated[1 * 3 + 1]).toBe(0);
    expect(rotated[2 * 3 + 0]).toBe(0);
  });

  it('rejects a non-finite angle, naming degrees', () => {
    expectArgumentError(() => rotateImages(randomImages(1), SIZE, Number.POSITIVE_INFINITY), /degrees .*Infinity/);
  });
});

describe('flipImagesHorizontally', () => {
  it('mirrors each row, and two flips are the identity', () => {
    expect(Array.from(flipImagesHorizontally(onePixel(3, 1), SIZE))).toEqual(Array.from(onePixel(3, 4)));
    const images = randomImages(3);
    const flipped = flipImagesHorizontally(images, SIZE);
    expect(Array.from(flipped)).not.toEqual(Array.from(images));
    expect(Array.from(flipImagesHorizontally(flipped, SIZE))).toEqual(Array.from(images));
  });
});

describe('addGaussianNoise', () => {
  it('adds noise of the asked spread (std of the difference on mid-grey within 5%) and zero mean', () => {
    const size = { rows: 100, cols: 100 };
    const grey = new Uint8Array(4 * 100 * 100).fill(128);
    for (const std of [0.05, 0.1, 0.2]) {
      const noisy = addGaussianNoise(grey, size, std, 11);
      let sum = 0;
      let squares = 0;
      for (let index = 0; index < noisy.length; index++) {
        const difference = (noisy[index] as number) - 128;
        sum += difference;
        squares += difference * difference;
      }
      const mean = sum / noisy.length;
      const spread = Math.sqrt(squares / noisy.length - mean * mean);
      expect(Math.abs(spread / (255 * std) - 1), `std ${std}`).toBeLessThan(0.05);
      expect(Math.abs(mean)).toBeLessThan(0.05 * 255 * std);
    }
    expect(Array.from(grey.subarray(0, 10))).toEqual(new Array(10).fill(128));
  });

  it('is repeatable for a seed, differs between seeds, and std 0 changes nothing', () => {
    const images = randomImages(2);
    expect(Array.from(addGaussianNoise(images, SIZE, 0.1, 3))).toEqual(
      Array.from(addGaussianNoise(images, SIZE, 0.1, 3)),
    );
    expect(Array.from(addGaussianNoise(images, SIZE, 0.1, 4))).not.toEqual(
      Array.from(addGaussianNoise(images, SIZE, 0.1, 3)),
    );
    expect(Array.from(addGaussianNoise(images, SIZE, 0, 3))).toEqual(Array.from(images));
  });

  it('clips to 0..255', () => {
    const images = new Uint8Array(PIXELS * 4).fill(250);
    const noisy = addGaussianNoise(images, SIZE, 0.3, 1);
    expect(noisy.some((value) => value === 255)).toBe(true);
    expect(noisy.some((value) => value < 250)).toBe(true);
  });

  it('rejects a negative or non-finite std, naming std', () => {
    expectArgumentError(() => addGaussianNoise(randomImages(1), SIZE, -0.1, 0), /std must be at least 0, got -0\.1/);
    expectArgumentError(() => addGaussianNoise(randomImages(1), SIZE, Number.NaN, 0), /std .*NaN/);
  });
});

describe('occludeImages', () => {
  it('zeroes exactly square² pixels, in one square wholly inside each white image', () => {
    const images = new Uint8Array(20 * PIXELS).fill(255);
    for (const square of [1, 3, 5]) {
      const occluded = occludeImages(images, SIZE, square, 5);
      for (let image = 0; image < 20; image++) {
        const zeros: [number, number][] = [];
        for (let index = 0; index < PIXELS; index++) {
          if (occluded[image * PIXELS + index] === 0) zeros.push([Math.floor(index / SIZE.cols), index % SIZE.cols]);
          else expect(occluded[image * PIXELS + index]).toBe(255);
        }
        expect(zeros).toHaveLength(square * square);
        const rows = zeros.map(([row]) => row);
        const cols = zeros.map(([, col]) => col);
        expect(Math.max(...rows) - Math.min(...rows)).toBe(square - 1);
        expect(Math.max(...cols) - Math.min(...cols)).toBe(square - 1);
      }
    }
    expect(images.every((value) => value === 255)).toBe(true);
  });

  it('places the squares by the seed: repeatable, and not all in one place', () => {
    const images = new Uint8Array(30 * PIXELS).fill(255);
    const first = occludeImages(images, SIZE, 2, 9);
    expect(Array.from(occludeImages(images, SIZE, 2, 9))).toEqual(Array.from(first));
    const corners = new Set<number>();
    for (let image = 0; image < 30; image++) corners.add(first.subarray(image * PIXELS).indexOf(0));
    expect(corners.size).toBeGreaterThan(3);
  });

  it('rejects a square larger than the image or not whole, naming square', () => {
    expectArgumentError(() => occludeImages(randomImages(1), SIZE, 6, 0), /square must be .* 0 to 5 .*got 6/);
    expectArgumentError(() => occludeImages(randomImages(1), SIZE, 2.5, 0), /square .*got 2\.5/);
  });
});

describe('scaleContrast', () => {
  it('factor 1 is the identity; factor 0 is each image flat at its mean', () => {
    const images = randomImages(2);
    expect(Array.from(scaleContrast(images, SIZE, 1))).toEqual(Array.from(images));
    const flat = scaleContrast(images, SIZE, 0);
    for (let image = 0; image < 2; image++) {
      const part = images.subarray(image * PIXELS, (image + 1) * PIXELS);
      const mean = part.reduce((sum, value) => sum + value, 0) / PIXELS;
      expect(new Set(flat.subarray(image * PIXELS, (image + 1) * PIXELS))).toEqual(new Set([Math.round(mean)]));
    }
  });

  it('moves each pixel toward its image mean by the factor', () => {
    const image = new Uint8Array(PIXELS);
    image.fill(200, 0, PIXELS / 2); // mean 100
    const half = scaleContrast(image, SIZE, 0.5);
    expect(half[0]).toBe(150);
    expect(half[PIXELS - 1]).toBe(50);
  });

  it('rejects a negative factor, naming factor', () => {
    expectArgumentError(() => scaleContrast(randomImages(1), SIZE, -1), /factor must be at least 0, got -1/);
  });
});

describe('invertImages', () => {
  it('maps p to 255 - p, and inverting twice is the identity', () => {
    expect(Array.from(invertImages(Uint8Array.from([0, 1, 128, 255])))).toEqual([255, 254, 127, 0]);
    const images = randomImages(2);
    expect(Array.from(invertImages(invertImages(images)))).toEqual(Array.from(images));
  });
});

describe('bad images and sizes', () => {
  it('rejects images that are not whole images and sizes that are not whole numbers, naming them', () => {
    expectArgumentError(
      () => flipImagesHorizontally(new Uint8Array(PIXELS + 1), SIZE),
      /multiple of 30 bytes\), got 31/,
    );
    expectArgumentError(() => shiftImages(new Uint8Array(PIXELS), { rows: 0, cols: 6 }, 0, 0), /size\.rows .*got 0/);
    expectArgumentError(() => scaleContrast(new Uint8Array(PIXELS), { rows: 5, cols: 6.5 }, 1), /size\.cols .*6\.5/);
  });
});

describe('ROBUSTNESS_CONDITIONS and transformForCondition', () => {
  it('lists the standard conditions in order, with labels', () => {
    expect(ROBUSTNESS_CONDITIONS.map(({ family, severity }) => `${family} ${severity}`)).toEqual([
      'shift 1',
      'shift 2',
      'shift 3',
      'shift 4',
      'rotation 10',
      'rotation 20',
      'rotation 30',
      'flip 1',
      'noise 0.05',
      'noise 0.1',
      'noise 0.2',
      'noise 0.3',
      'occlusion 6',
      'occlusion 10',
      'occlusion 14',
      'contrast 0.5',
      'contrast 0.25',
      'invert 1',
    ]);
    expect(ROBUSTNESS_CONDITIONS.map(({ label }) => label)).toContain('shift 2 px');
    expect(ROBUSTNESS_CONDITIONS.map(({ label }) => label)).toContain('rotation 20°');
    expect(ROBUSTNESS_CONDITIONS.map(({ label }) => label)).toContain('noise 0.2');
    expect(new Set(ROBUSTNESS_CONDITIONS.map(({ label }) => label)).size).toBe(ROBUSTNESS_CONDITIONS.length);
  });

  it('gives 4 shifted copies, 2 rotated ones and 1 for the rest, each the size of the input', () => {
    const size = { rows: 28, cols: 28 };
    const images = randomImages(2, size);
    for (const condition of ROBUSTNESS_CONDITIONS) {
      const copies = transformForCondition(images, size, condition, 1);
      const expected = condition.family === 'shift' ? 4 : condition.family === 'rotation' ? 2 : 1;
      expect(copies, condition.label).toHaveLength(expected);
      for (const copy of copies) expect(copy).toHaveLength(images.length);
    }
    const shift = ROBUSTNESS_CONDITIONS[1]!;
    expect(Array.from(transformForCondition(images, size, shift, 1)[1]!)).toEqual(
      Array.from(shiftImages(images, size, -2, 0)),
    );
  });

  it('repeats seeded copies for a seed and varies them with the seed and the severity', () => {
    const images = new Uint8Array(3 * PIXELS).fill(128);
    const noise = { family: 'noise', severity: 0.1, label: 'noise 0.1' } as const;
    const first = transformForCondition(images, SIZE, noise, 1)[0]!;
    expect(Array.from(transformForCondition(images, SIZE, noise, 1)[0]!)).toEqual(Array.from(first));
    expect(Array.from(transformForCondition(images, SIZE, noise, 2)[0]!)).not.toEqual(Array.from(first));
    const occlusion = { family: 'occlusion', severity: 2, label: 'occlusion 2 px' } as const;
    expect(Array.from(transformForCondition(images, SIZE, occlusion, 1)[0]!)).toEqual(
      Array.from(transformForCondition(images, SIZE, occlusion, 1)[0]!),
    );
  });

  it('rejects an unknown family, a negative shift and a bad severity, naming them', () => {
    const images = randomImages(1);
    expectArgumentError(
      () => transformForCondition(images, SIZE, { family: 'blur' as 'flip', severity: 1, label: 'blur' }, 0),
      /condition\.family must be one of shift, .*got 'blur'/,
    );
    expectArgumentError(
      () => transformForCondition(images, SIZE, { family: 'shift', severity: -1, label: 'shift -1 px' }, 0),
      /condition\.severity of a shift .*got -1/,
    );
    expectArgumentError(
      () => transformForCondition(images, SIZE, { family: 'noise', severity: -0.1, label: 'noise -0.1' }, 0),
      /std must be at least 0, got -0\.1/,
    );
    expectArgumentError(
      () => transformForCondition(images, SIZE, { family: 'occlusion', severity: 9, label: 'occlusion 9 px' }, 0),
      /square .*got 9/,
    );
    expectArgumentError(
      () => transformForCondition(images, SIZE, { family: 'contrast', severity: Number.NaN, label: 'contrast' }, 0),
      /severity .*NaN/,
    );
  });
});
