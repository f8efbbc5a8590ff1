/** `fmnist predict`: classify PNG/JPEG images with a saved model and print the top-3 classes. */
import { resolve } from 'node:path';
import { toFashionMnistImage } from '@fmnist/dataset';
import { createClassifier, selectBackend } from '@fmnist/models';
import { defineCommand } from 'citty';
import { BACKEND_NAMES, backendArgs, modelDirArgs, outputArgs, parseChoiceFlag } from '../args.js';
import { UsageError } from '../errors.js';
import { decodeImageFile } from '../image.js';
import { createReporter } from '../progress.js';

const TOP = 3;

export default defineCommand({
  meta: {
    name: 'predict',
    description:
      'Classify PNG or JPEG images of any size with a saved model; prints the top-3 classes with probabilities',
  },
  args: {
    ...modelDirArgs,
    image: {
      type: 'positional',
      description:
        'PNG or JPEG files. Each is made to look like FashionMNIST: grey from luminance (transparent counts as white), ' +
        'inverted if its border is light so the object is bright on black, cropped to the object, shrunk keeping its ' +
        'aspect so the longer side is 28 pixels, centred on a 28x28 black square, and normalised like the training data',
      valueHint: 'IMAGE...',
      required: true,
    },
    ...backendArgs,
    ...outputArgs,
  },
  async run({ args }) {
    const reporter = createReporter(args);
    const files = args._.map(String);
    if (files.length === 0) throw new UsageError('fmnist predict needs at least one IMAGE (a PNG or JPEG file)');
    const backendName = parseChoiceFlag('backend', args.backend, BACKEND_NAMES) ?? 'auto';
    const backend = await selectBackend(backendName);
    reporter.debug(`backend: ${backend.reason}`);
    const images = [];
    for (const file of files) images.push(toFashionMnistImage(await decodeImageFile(file)));
    const classifier = await createClassifier(resolve(args['model-dir']));
    try {
      const tops = await classifier.classifyMany(images, { topK: TOP });
      const predictions = files.map((file, index) => ({ file, top: tops[index]! }));
      const output = {
        modelDir: args['model-dir'],
        model: classifier.metadata.kind,
        backend: backend.name,
        predictions,
      };
      reporter.result(output, () =>
        predictions.map(
          ({ file, top }) =>
            `${file}: ${top.map((entry) => `${entry.className} ${(entry.probability * 100).toFixed(1)}%`).join(', ')}`,
        ),
      );
    } finally {
      classifier.dispose();
    }
  },
});
