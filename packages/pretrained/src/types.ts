/** What the package records about each shipped model (written by scripts/import-model.ts). */
import type { TestTimeAugmentation } from '@fmnist/models';

/** How the weights are stored: float32 as trained, or quantized with the tfjs weights manifest's `quantization`. */
export type WeightEncoding = 'float32' | 'float16' | 'uint8';

/** Accuracy on the 10,000 test images with the weights stored one way. */
export interface TestAccuracy {
  encoding: WeightEncoding;
  /** Test images classified correctly. */
  correct: number;
  /** `correct / images`. */
  accuracy: number;
}

/** Size and SHA-256 of one shipped file. */
export interface ShippedFile {
  bytes: number;
  /** Hex SHA-256 of the file's bytes. */
  sha256: string;
}

/** One FashionMNIST file the model was trained and tested on, as the training run recorded it. */
export interface DataFile {
  split: string;
  role: string;
  /** The file's name (its folder is machine-specific). */
  file: string;
  sha256: string;
}

export interface PretrainedInfo {
  /** The name `loadPretrained` takes. */
  name: string;
  /** The architecture: `linear`, `mlp` or `cnn` (see @fmnist/models). */
  kind: string;
  parameters: number;
  /** The exact command that trained the weights; run again, it gives the same float32 weights. */
  command: string;
  seed: number;
  /** Threads that trained the model (the command's `--workers`). */
  workers: number | string;
  /** When training started and how long it took. */
  trainedAt: string;
  trainSeconds: number | null;
  /** Node, @fmnist and tfjs versions of the training run, and the kernel module build that evaluated the weights. */
  versions: Record<string, string>;
  data: { source: string; files: DataFile[] };
  /** How the shipped weights are stored, and why. */
  quantization: { encoding: WeightEncoding; rule: string };
  /**
   * The views whose class probabilities the classifier averages for each image (its metadata.json's; see
   * `TestTimeAugmentation` of @fmnist/models), as the test figures were measured; absent: the image alone.
   */
  testTimeAugmentation?: TestTimeAugmentation;
  /**
   * Test accuracy of the shipped weights and of every encoding measured, on the backend named, in batches of 256,
   * each image classified through `views` views (the package's test checks `shipped.correct` again).
   */
  test: {
    images: number;
    backend: string;
    /**
     * Views per image the figures average, one forward pass each: 10 for `{ flip: true, shift: 1 }`, 1 for the image
     * alone. Absent in records imported before test-time augmentation, which measured the image alone.
     */
    views?: number;
    shipped: TestAccuracy;
    measured: TestAccuracy[];
  };
  /** Weight bytes as trained (float32) and as shipped. */
  weightBytes: { float32: number; shipped: number };
  /** The shipped model files, checked before loading. */
  files: { 'model.json': ShippedFile; 'metadata.json': ShippedFile; 'weights.bin': ShippedFile };
}

/** One shipped model's files as text: model.json and metadata.json as they are, weights.bin in base64. */
export interface PretrainedFiles {
  'model.json': string;
  'metadata.json': string;
  'weights.bin': string;
}

/** A catalog entry: the model's record, and a loader of its files (a module of its own, so bundles load it lazily). */
export interface CatalogEntry {
  info: PretrainedInfo;
  load: () => Promise<{ files: PretrainedFiles }>;
}
