// The same through require(). Usage: node pretrained.cjs
const { loadPretrained, PRETRAINED_MODELS, pretrainedInfo } = require('@fmnist/pretrained');

async function main() {
  const { trousers } = await import('./trousers.mjs');
  const classifier = await loadPretrained('cnn');
  const top = await classifier.classify(trousers(), { topK: 3 });
  classifier.dispose();
  console.log(
    JSON.stringify({
      format: 'cjs',
      models: PRETRAINED_MODELS,
      top: top.map(({ className, probability }) => ({ className, probability })),
      accuracy: pretrainedInfo('cnn').test.shipped.accuracy,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
