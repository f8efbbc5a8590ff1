/** `fmnist data download`: fetch the FashionMNIST files that are missing or corrupt, verified, into the cache. */

import { resolve } from 'node:path';
import { downloadFashionMnist, type LoadProgress } from '@fmnist/dataset';
import { defineCommand } from 'citty';
import { dataArgs, outputArgs, parseDataDir } from '../../args.js';
import { checkOutputFolder } from '../../outputs.js';
import { createReporter } from '../../progress.js';
import { handleInterruption } from '../../signals.js';

export default defineCommand({
  meta: {
    name: 'download',
    description:
      'Download missing or corrupt files, verified, into --data-dir, FMNIST_DATA_DIR or the cache (~/.cache/fmnist)',
  },
  args: {
    ...dataArgs,
    force: { type: 'boolean', description: 'Download again even when verified copies are present' },
    ...outputArgs,
  },
  async run({ args }) {
    const reporter = createReporter(args);
    const dataDir = parseDataDir(args);
    if (dataDir) checkOutputFolder('data-dir', resolve(dataDir), { kind: 'any' });
    const interruption = handleInterruption({ onInterrupt: () => reporter.info('interrupted; stopping the download') });
    let currentUrl = '';
    const onProgress = (progress: LoadProgress) => {
      if (progress.stage === 'download' && progress.url !== currentUrl) {
        currentUrl = progress.url;
        const bytes = progress.totalBytes;
        const size =
          bytes === undefined
            ? ''
            : bytes < 1e6
              ? ` (${Math.ceil(bytes / 1e3)} kB)`
              : ` (${(bytes / 1e6).toFixed(1)} MB)`;
        reporter.info(`downloading ${progress.url}${size}`);
      }
    };
    try {
      const result = await downloadFashionMnist({
        dataDir,
        force: Boolean(args.force),
        signal: interruption.signal,
        onProgress,
      });
      reporter.result(result, () => [
        ...result.files.map((file) => `${file.status === 'downloaded' ? 'downloaded' : 'present   '} ${file.path}`),
        `FashionMNIST is in ${result.dir}`,
      ]);
    } finally {
      interruption.dispose();
    }
  },
});
