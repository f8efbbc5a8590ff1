/**
 * @fmnist/pretrained: trained FashionMNIST models inside the package. `loadPretrained('cnn' | 'linear')` gives a
 * classifier in Node (ESM and CommonJS) and in bundled browser pages, with no download.
 */

export type { Classifier, ClassifyOptions, ImageLike, Prediction, TestTimeAugmentation } from '@fmnist/models';
export { PretrainedError, type PretrainedErrorCode } from './errors.js';
export {
  type LoadPretrainedOptions,
  loadPretrained,
  PRETRAINED_MODELS,
  type PretrainedModelName,
  pretrainedInfo,
} from './pretrained.js';
export type {
  DataFile,
  PretrainedInfo,
  ShippedFile,
  TestAccuracy,
  WeightEncoding,
} from './types.js';
