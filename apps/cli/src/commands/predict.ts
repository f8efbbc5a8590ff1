/** `fmnist predict`: classify PNG/JPEG images with a saved model, or the pretrained CNN, and print the top-3 classes. */
import { toFashionMnistImage } from '@fmnist/dataset';
import { createClassifier, selectBackend } from '@fmnist/models';
import { loadPretrained } from '@fmnist/pretrained';
import { defineCommand } from 'citty';
import { backendArgs, modelDirArgs, outputArgs, parseBackend, parseModelDir } from '../args.js';
import { UsageError } from '../errors.js';
import { decodeImageFile } from '../image.js';
import { createReporter } from '../progress.js';

const TOP = 3;
/** The model predict uses without --model-dir. */
const PRETRAINED = 'cnn';

export default defineCommand({
  meta: {
    name: 'predict',
    description:
      'Classify PNG or JPEG images with the pretrained CNN of @fmnist/pretrained, or a saved model; print the top-3 ' +
      'classes with probabilities',
  },
  args: {
    'model-dir': {
      ...modelDirArgs['model-dir'],
      description: `${modelDirArgs['model-dir'].description}; without it, the pretrained CNN that ships with fmnist`,
      required: false,
    },
    image: {
      type: 'positional',
      description:
        'PNG or JPEG files. Each is made to look like FashionMNIST: gray from luminance (transparent counts as white), ' +
        'inverted if its border is light so the object is bright on black, cropped to the object, shrunk keeping its ' +
        'aspect so the longer side is 28 pixels, centered on a 28x28 black square, and normalized like the training data',
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
    const modelDir = args['model-dir'] === undefined ? undefined : parseModelDir(args);
    const backend = await selectBackend(parseBackend(args));
    reporter.debug(`backend: ${backend.reason}`);
    const images = [];
    for (const file of files) images.push(toFashionMnistImage(await decodeImageFile(file)));
    const classifier = modelDir === undefined ? await loadPretrained(PRETRAINED) : await createClassifier(modelDir);
    try {
      const tops = await classifier.classifyMany(images, { topK: TOP });
      const predictions = files.map((file, index) => ({ file, top: tops[index]! }));
      const output = {
        modelDir: args['model-dir'],
        ...(modelDir === undefined ? { pretrained: PRETRAINED } : {}),
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
