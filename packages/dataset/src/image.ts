/** Photos to FashionMNIST-like images: pure pixel code over RGBA arrays (decode files or read a canvas first). */
import { DatasetError } from './errors.js';

/** FashionMNIST's image side in pixels. */
const IMAGE_SIZE = 28;

/**
 * Decoded pixels, 4 bytes (red, green, blue, alpha) per pixel, row-major: what PNG/JPEG decoders return, and what a
 * browser's `ImageData` (e.g. `canvas.getContext('2d').getImageData(...)`) is.
 */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

function checkRgbaImage(image: RgbaImage): void {
  const { width, height, data } = image;
  if (!Number.isSafeInteger(width) || !Number.isSafeInteger(height) || width < 1 || height < 1) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `toFashionMnistImage: width and height must be whole numbers of at least 1, got ${width}x${height}`,
    );
  }
  if (data?.length !== width * height * 4) {
    throw new DatasetError(
      'E_DATASET_ARGUMENT',
      `toFashionMnistImage: a ${width}x${height} image needs ${width * height * 4} RGBA bytes in data, got ${data?.length}`,
    );
  }
}

/** Averages the source cells each destination cell covers (area resampling) along one axis. */
function resampleAxis(
  source: Float32Array,
  width: number,
  height: number,
  newLength: number,
  horizontal: boolean,
): Float32Array {
  const length = horizontal ? width : height;
  const across = horizontal ? height : width;
  const result = new Float32Array(horizontal ? newLength * height : width * newLength);
  const scale = length / newLength;
  for (let target = 0; target < newLength; target++) {
    const start = target * scale;
    const end = start + scale;
    for (let line = 0; line < across; line++) {
      let sum = 0;
      for (let index = Math.floor(start); index < Math.min(length, Math.ceil(end)); index++) {
        const overlap = Math.min(end, index + 1) - Math.max(start, index);
        const value = horizontal ? source[line * width + index]! : source[index * width + line]!;
        sum += value * overlap;
      }
      const at = horizontal ? line * newLength + target : target * width + line;
      result[at] = sum / scale;
    }
  }
  return result;
}

/**
 * FashionMNIST's images are centered objects, bright on a black background, whose longer side spans all 28 pixels.
 * This does the same to a photo: gray from luminance (transparent pixels count as white), inverted when the border is
 * light (a product shot on white), background level subtracted, cropped to the object's bounding box, shrunk with area
 * averaging so the longer side is 28 pixels (aspect kept), centered on black and stretched so the brightest pixel is 255.
 * Returns 784 bytes (28x28, row-major), ready for `normalizeImages` with the training data's normalization. Throws
 * `DatasetError` `E_DATASET_ARGUMENT` when `data` does not hold `width * height * 4` bytes.
 */
export function toFashionMnistImage(image: RgbaImage): Uint8Array {
  checkRgbaImage(image);
  const { width, height, data } = image;
  const gray = new Float32Array(width * height);
  for (let pixel = 0; pixel < width * height; pixel++) {
    const offset = pixel * 4;
    const alpha = data[offset + 3]! / 255;
    const luminance = 0.299 * data[offset]! + 0.587 * data[offset + 1]! + 0.114 * data[offset + 2]!;
    gray[pixel] = luminance * alpha + 255 * (1 - alpha);
  }

  let borderSum = 0;
  let borderCount = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || x === 0 || y === height - 1 || x === width - 1) {
        borderSum += gray[y * width + x]!;
        borderCount++;
      }
    }
  }
  const invert = borderSum / borderCount > 127.5;
  const background = invert ? 255 - borderSum / borderCount : borderSum / borderCount;
  let maximum = 0;
  for (let pixel = 0; pixel < gray.length; pixel++) {
    const value = Math.max(0, (invert ? 255 - gray[pixel]! : gray[pixel]!) - background);
    gray[pixel] = value;
    if (value > maximum) maximum = value;
  }

  // The object is whatever stands out from the background by more than a twentieth of the brightest pixel.
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x]! > maximum * 0.05) {
        left = Math.min(left, x);
        right = Math.max(right, x);
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
    }
  }
  if (right < 0) {
    left = 0;
    top = 0;
    right = width - 1;
    bottom = height - 1;
  }
  const cropWidth = right - left + 1;
  const cropHeight = bottom - top + 1;
  const crop = new Float32Array(cropWidth * cropHeight);
  for (let y = 0; y < cropHeight; y++) {
    crop.set(gray.subarray((top + y) * width + left, (top + y) * width + left + cropWidth), y * cropWidth);
  }

  const scale = IMAGE_SIZE / Math.max(cropWidth, cropHeight);
  const newWidth = Math.max(1, Math.min(IMAGE_SIZE, Math.round(cropWidth * scale)));
  const newHeight = Math.max(1, Math.min(IMAGE_SIZE, Math.round(cropHeight * scale)));
  const resized = resampleAxis(
    resampleAxis(crop, cropWidth, cropHeight, newWidth, true),
    newWidth,
    cropHeight,
    newHeight,
    false,
  );

  const output = new Uint8Array(IMAGE_SIZE * IMAGE_SIZE);
  // Odd margins put the extra pixel on the left/top, as FashionMNIST does.
  const offsetX = Math.ceil((IMAGE_SIZE - newWidth) / 2);
  const offsetY = Math.ceil((IMAGE_SIZE - newHeight) / 2);
  let resizedMaximum = 0;
  for (const value of resized) resizedMaximum = Math.max(resizedMaximum, value);
  const gain = resizedMaximum > 0 ? 255 / resizedMaximum : 0;
  for (let y = 0; y < newHeight; y++) {
    for (let x = 0; x < newWidth; x++) {
      output[(offsetY + y) * IMAGE_SIZE + offsetX + x] = Math.round(resized[y * newWidth + x]! * gain);
    }
  }
  return output;
}
