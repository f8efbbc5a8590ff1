// Type-checked (never run) against the published .d.ts files, as an ESM TypeScript user sees them.
import { CLASS_NAMES, DatasetError, type DatasetSplit, loadFashionMnist } from '@fmnist/dataset';
import { accuracy } from '@fmnist/metrics';
import { type Classifier, createClassifier, ModelsError, type Prediction } from '@fmnist/models';
import { VizError } from '@fmnist/viz';

export async function check(): Promise<number> {
  const split: DatasetSplit = await loadFashionMnist({ split: 'test' });
  const classifier: Classifier = await createClassifier('./model');
  const predictions: Prediction[] = await classifier.classify(split.images.subarray(0, 784), { topK: 3 });
  const name: string = predictions[0]?.className ?? CLASS_NAMES[0] ?? '';
  // @ts-expect-error topK is a number
  await classifier.classify(new Uint8Array(784), { topK: '3' });
  // @ts-expect-error a string is not an image
  await classifier.classify('shoe.png');
  const known = ModelsError.isInstance(new Error(name)) || DatasetError.isInstance(null) || VizError.isInstance(null);
  return accuracy([0, 1], [0, 1]) + Number(known);
}
