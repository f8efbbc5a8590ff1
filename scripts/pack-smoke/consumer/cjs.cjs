// The same through require(): loads the model the ESM script saved and predicts the same images.
// Usage: node cjs.cjs DATA_DIR MODEL_DIR
const { loadFashionMnist } = require('@fmnist/dataset');
const { accuracy } = require('@fmnist/metrics');
const { createClassifier, selectBackend } = require('@fmnist/models');
const viz = require('@fmnist/viz');

async function main() {
  const [dataDir, modelDir] = process.argv.slice(2);
  const COUNT = 20;
  const backend = await selectBackend('auto');
  const test = await loadFashionMnist({ split: 'test', dataDir });
  const classifier = await createClassifier(modelDir);
  const top = await classifier.classifyMany(
    Array.from({ length: COUNT }, (_, i) => test.images.subarray(i * 784, (i + 1) * 784)),
    { topK: 1 },
  );
  const predicted = top.map(([best]) => best.classIndex);
  console.log(
    JSON.stringify({
      format: 'cjs',
      backend: backend.name,
      testImages: test.count,
      kind: classifier.metadata.kind,
      predicted,
      probabilities: top.map(([best]) => best.probability),
      accuracy: accuracy(Array.from(test.labels.subarray(0, COUNT)), predicted),
      vizExports: Object.keys(viz).length,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
