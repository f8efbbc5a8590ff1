/** `fmnist data info`: where the FashionMNIST files come from and what each split holds. */
import { CLASS_NAMES, countClasses, type FashionMnistSplit, loadFashionMnist } from '@fmnist/dataset';
import { defineCommand } from 'citty';
import { dataArgs, outputArgs, parseDataDir } from '../../args.js';
import { createReporter } from '../../progress.js';
import { handleInterruption } from '../../signals.js';

function summary(split: FashionMnistSplit) {
  return {
    count: split.count,
    rows: split.rows,
    cols: split.cols,
    classCounts: countClasses(split.labels, CLASS_NAMES.length),
    source: split.source,
  };
}

export default defineCommand({
  meta: { name: 'info', description: 'Find and verify both splits; print where they come from and their class counts' },
  args: { ...dataArgs, ...outputArgs },
  async run({ args }) {
    const reporter = createReporter(args);
    const interruption = handleInterruption();
    try {
      const options = { dataDir: parseDataDir(args), signal: interruption.signal };
      const [train, test] = await Promise.all([
        loadFashionMnist({ ...options, split: 'train' }),
        loadFashionMnist({ ...options, split: 'test' }),
      ]);
      const source = { kind: train.source?.kind, dir: train.source?.dir };
      const splits = { train: summary(train), test: summary(test) };
      reporter.result({ source, classNames: CLASS_NAMES, splits }, () => [
        `FashionMNIST from ${source.kind} ${source.dir ?? ''}`.trimEnd(),
        ...Object.entries(splits).map(
          ([name, split]) =>
            `${name}: ${split.count} images of ${split.rows}x${split.cols}; per class: ` +
            split.classCounts.map((count, label) => `${CLASS_NAMES[label]} ${count}`).join(', '),
        ),
      ]);
    } finally {
      interruption.dispose();
    }
  },
});
