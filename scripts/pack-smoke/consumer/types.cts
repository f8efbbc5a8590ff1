// The same through CommonJS resolution (the .d.cts files).
import dataset = require('@fmnist/dataset');
import metrics = require('@fmnist/metrics');
import models = require('@fmnist/models');

export async function check(): Promise<number> {
  const classifier: models.Classifier = await models.createClassifier('./model');
  const predictions: models.Prediction[] = await classifier.classify(new Uint8Array(784));
  // @ts-expect-error classNames is read-only
  classifier.classNames = [];
  return metrics.accuracy([0], [predictions[0]?.classIndex ?? 0]) + dataset.CLASS_NAMES.length;
}
