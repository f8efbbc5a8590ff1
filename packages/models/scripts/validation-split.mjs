// The study's training and validation parts of the training split for a seed, as `fmnist compare --seed S` makes them
// (stratified, DEFAULT_VALIDATION_FRACTION, normalized with the training part's statistics). The test split is never
// loaded: the searches that use this choose on validation accuracy only.
import {
  computeNormalization,
  DEFAULT_VALIDATION_FRACTION,
  loadFashionMnist,
  normalizeImages,
  selectExamples,
  stratifiedSplit,
} from '@fmnist/dataset';

let trainSplit;

/** `{ train, validation, normalization }` of seed `seed`; the training split's files are read once per process. */
export async function loadValidationSplit(seed) {
  trainSplit ??= await loadFashionMnist({ split: 'train' });
  const { trainIndices, validationIndices } = stratifiedSplit(trainSplit.labels, {
    validationFraction: DEFAULT_VALIDATION_FRACTION,
    seed,
  });
  const trainPart = selectExamples(trainSplit, trainIndices);
  const normalization = computeNormalization(trainPart.images);
  const labelled = (split) => ({ ...split, images: normalizeImages(split.images, normalization, { shared: true }) });
  return {
    train: labelled(trainPart),
    validation: labelled(selectExamples(trainSplit, validationIndices)),
    normalization,
  };
}
