/** `fmnist report`: re-render a finished run's report from its saved study, without retraining. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadStudy, STUDY_FILE } from '@fmnist/viz/node';
import { defineCommand } from 'citty';
import { outArgs, outputArgs, parseOut } from '../args.js';
import { UsageError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter } from '../progress.js';
import { renderReportInto } from '../render.js';

export default defineCommand({
  meta: {
    name: 'report',
    description: 'Re-render the report of a finished compare run from its saved study/, without retraining',
  },
  args: {
    from: { type: 'string', description: 'Folder of a finished compare run', valueHint: 'DIR', required: true },
    ...outArgs('Folder for report.html, report.md and figures/ (default: the --from folder)'),
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
    const outDir = parseOut(args) ?? from;
    checkOutputFolder('out', outDir, { kind: 'any' });
    const start = performance.now();
    const study = await loadStudy(studyDir);
    const { files } = await renderReportInto(study, outDir);
    const seconds = (performance.now() - start) / 1000;
    reporter.result({ from, outDir, files, seconds }, () => [
      `wrote ${files.join(', ')} to ${outDir} in ${seconds.toFixed(1)} s`,
    ]);
  },
});
