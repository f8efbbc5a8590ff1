// @fmnist/pretrained through import: loads the shipped CNN (no files, no network) and classifies a drawn pair of
// trousers. Usage: node pretrained.mjs
import { loadPretrained, PRETRAINED_MODELS, pretrainedInfo } from '@fmnist/pretrained';
import { trousers } from './trousers.mjs';

const classifier = await loadPretrained('cnn');
const top = await classifier.classify(trousers(), { topK: 3 });
classifier.dispose();
console.log(
  JSON.stringify({
    format: 'esm',
    models: PRETRAINED_MODELS,
    top: top.map(({ className, probability }) => ({ className, probability })),
    accuracy: pretrainedInfo('cnn').test.shipped.accuracy,
  }),
);
