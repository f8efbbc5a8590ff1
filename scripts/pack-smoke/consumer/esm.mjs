// Runs in a fresh npm project that installed the packed tarballs: ESM imports, real data, a saved model, predictions.
// Usage: node esm.mjs DATA_DIR MODEL_DIR
import { CLASS_NAMES, computeNormalization, loadFashionMnist } from '@fmnist/dataset';
import { accuracy } from '@fmnist/metrics';
import { createClassifier, createModel, loadModel, saveModel, selectBackend } from '@fmnist/models';
import * as viz from '@fmnist/viz';

const [dataDir, modelDir] = process.argv.slice(2);
const COUNT = 20;
// 'auto' must settle on cpu here: neither tfjs-node nor the wasm backend (optional peers) is installed.
const backend = await selectBackend('auto');
const test = await loadFashionMnist({ split: 'test', dataDir });
const images = test.images.subarray(0, COUNT * 784);
const model = createModel('linear', { seed: 5 });
await saveModel(model, modelDir, {
  kind: 'linear',
  normalization: computeNormalization(images),
  classNames: CLASS_NAMES,
});
model.dispose();
const { metadata } = await loadModel(modelDir);
const classifier = await createClassifier(modelDir);
const top = await classifier.classifyMany(
  Array.from({ length: COUNT }, (_, i) => images.subarray(i * 784, (i + 1) * 784)),
  { topK: 1 },
);
const predicted = top.map(([best]) => best.classIndex);
console.log(
  JSON.stringify({
    format: 'esm',
    backend: backend.name,
    testImages: test.count,
    kind: metadata.kind,
    predicted,
    probabilities: top.map(([best]) => best.probability),
    accuracy: accuracy(Array.from(test.labels.subarray(0, COUNT)), predicted),
    vizExports: Object.keys(viz).length,
  }),
);
