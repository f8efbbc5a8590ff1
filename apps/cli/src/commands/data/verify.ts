/** `fmnist data verify`: check every file (gzip, IDX structure, SHA-256, counts) where loading would find it. */
import { DatasetError, type DatasetErrorCode, verifyFashionMnist } from '@fmnist/dataset';
import { defineCommand } from 'citty';
import { dataArgs, outputArgs, parseDataDir } from '../../args.js';
import { createReporter } from '../../progress.js';
import { handleInterruption } from '../../signals.js';

export default defineCommand({
  meta: {
    name: 'verify',
    description: "Check both splits' files (SHA-256 of the content, structure, counts); exit 1 if any fails",
  },
  args: { ...dataArgs, ...outputArgs },
  async run({ args }) {
    const reporter = createReporter(args);
    const interruption = handleInterruption();
    try {
      const report = await verifyFashionMnist({ dataDir: parseDataDir(args), signal: interruption.signal });
      reporter.result(report, () =>
        report.splits.flatMap((split) =>
          split.ok
            ? (split.files ?? []).map((file) => `ok ${split.split} ${file.role} ${file.path} sha256 ${file.sha256}`)
            : [`FAILED ${split.split}: ${split.error?.message}`],
        ),
      );
      const failed = report.splits.find((split) => !split.ok)?.error;
      if (failed) {
        throw new DatasetError(failed.code as DatasetErrorCode, failed.message, { file: failed.file });
      }
    } finally {
      interruption.dispose();
    }
  },
});
