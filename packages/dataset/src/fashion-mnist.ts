/** FashionMNIST itself: its files, their checksums, its mirrors and its class names. Everything else is generic. */
import type { DatasetSplit, IdxDatasetDescriptor } from './descriptor.js';

/** The ten classes, indexed by label. */
export const CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** Upstream file names, the SHA-256 and size in bytes of their decompressed content (header included), per split. */
export const FASHION_MNIST_FILES = Object.freeze({
  train: Object.freeze({
    images: Object.freeze({
      file: 'train-images-idx3-ubyte.gz',
      sha256: 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888',
      size: 47_040_016,
    }),
    labels: Object.freeze({
      file: 'train-labels-idx1-ubyte.gz',
      sha256: 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9',
      size: 60_008,
    }),
  }),
  test: Object.freeze({
    images: Object.freeze({
      file: 't10k-images-idx3-ubyte.gz',
      sha256: '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b',
      size: 7_840_016,
    }),
    labels: Object.freeze({
      file: 't10k-labels-idx1-ubyte.gz',
      sha256: '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34',
      size: 10_008,
    }),
  }),
});

/**
 * Upstream mirrors, tried in order. Override with the `mirrors` option or `FMNIST_MIRRORS` (comma-separated). Both are
 * the ones the Fashion-MNIST project itself documents; every file is checked against its SHA-256 whichever serves it.
 */
export const FASHION_MNIST_MIRRORS: readonly string[] = Object.freeze([
  // The files as committed in the project's GitHub repository: HTTPS, and CORS-enabled, so browsers can use it too.
  'https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/',
  // The project's S3 bucket as a website. S3 website endpoints serve plain HTTP only (an https:// URL of this host
  // never answers), so this one comes last.
  'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
]);

export const FASHION_MNIST: IdxDatasetDescriptor = Object.freeze({
  name: 'fashion-mnist',
  title: 'FashionMNIST',
  files: FASHION_MNIST_FILES,
  mirrors: FASHION_MNIST_MIRRORS,
  classNames: CLASS_NAMES,
  systemDirs: Object.freeze(['/usr/share/datasets/fashion-mnist', '/usr/local/share/datasets/fashion-mnist']),
  systemPackageHint: 'sudo apt-get install dataset-fashion-mnist',
});

/** A FashionMNIST split: 28x28 images, labels 0 to 9 (see {@link CLASS_NAMES}). */
export type FashionMnistSplit = DatasetSplit;
