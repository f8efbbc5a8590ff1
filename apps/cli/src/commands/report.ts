/** `fmnist report`: re-render a finished run's report from its saved study, without retraining. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadStudy, STUDY_FILE } from '@fmnist/viz/node';
import { defineCommand } from 'citty';
import { outputArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { createReporter } from '../progress.js';
import { renderReportInto } from '../render.js';

export default defineCommand({
  meta: {
    name: 'report',
    description:
      'Re-render report.html, report.md and figures/ of a finished `fmnist compare` run from its saved study/ folder',
  },
  args: {
    from: { type: 'string', description: 'Folder of a finished compare run', valueHint: 'DIR', required: true },
    out: { type: 'string', description: 'Where to write the report (default: the --from folder)', valueHint: 'DIR' },
    ...outputArgs,
  },
  async run({ args }) {
    const reporter = createReporter(args);
    const from = resolve(args.from);
    const studyDir = join(from, 'study');
    if (!existsSync(join(studyDir, STUDY_FILE))) {
      throw new UsageError(
        `--from ${from} holds no saved study (${join('study', STUDY_FILE)}); point it at a folder written by a finished fmnist compare`,
      );
    }
    const outDir = resolve(args.out ?? from);
    const start = performance.now();
    const study = await loadStudy(studyDir);
    const { files } = await renderReportInto(study, outDir);
    const seconds = (performance.now() - start) / 1000;
    reporter.result({ from, outDir, files, seconds }, () => [
      `wrote ${files.join(', ')} to ${outDir} in ${seconds.toFixed(1)} s`,
    ]);
  },
});
