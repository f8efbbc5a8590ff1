/**
 * `fmnist report`: re-render a finished run's report from its saved study (or, for a `compare --seeds` run folder, from
 * its metrics.json), without retraining.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadStudy, type SeedsMetrics, STUDY_FILE, type Study, type StudyModel } from '@fmnist/viz/node';
import { defineCommand } from 'citty';
import { outArgs, outputArgs, parseOut } from '../args.js';
import { UsageError } from '../errors.js';
import { checkOutputFolder } from '../outputs.js';
import { createReporter } from '../progress.js';
import { renderReportInto, renderSeedsReportInto } from '../render.js';

/** The metrics.json of a `compare --seeds` run folder (its report is drawn from it alone), or undefined. */
function readSeedsMetrics(folder: string): SeedsMetrics | undefined {
  const path = join(folder, 'metrics.json');
  if (!existsSync(path)) return undefined;
  let metrics: Partial<SeedsMetrics>;
  try {
    metrics = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--from ${folder}: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (metrics.format !== 'fmnist-seeds-metrics') return undefined;
  if (!Array.isArray(metrics.aggregate?.runs)) {
    throw new UsageError(`--from ${folder}: ${path} has no aggregate.runs; was it written by fmnist compare --seeds?`);
  }
  return metrics as SeedsMetrics;
}

/**
 * The study with each model's test-time augmentation taken from the folder's run.json (`models.<name>`) where
 * study.json lacks it: studies saved before study.json carried the field record it only there.
 */
function withRunTestTimeAugmentation(study: Study, folder: string): Study {
  const path = join(folder, 'run.json');
  if (!existsSync(path) || study.models.every((model) => model.testTimeAugmentation)) return study;
  let record: { models?: Record<string, Pick<StudyModel, 'testTimeAugmentation'>> };
  try {
    record = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--from ${folder}: ${path} is not valid JSON (${(error as Error).message})`);
  }
  return {
    ...study,
    models: study.models.map((model) => {
      const recorded = record.models?.[model.name]?.testTimeAugmentation;
      return model.testTimeAugmentation || !recorded ? model : { ...model, testTimeAugmentation: recorded };
    }),
  };
}

export default defineCommand({
  meta: {
    name: 'report',
    description:
      'Re-render the report of a finished compare run from its saved study/ (a --seeds run: from its metrics.json), ' +
      'without retraining',
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
    const seeds = readSeedsMetrics(from);
    if (!seeds && !existsSync(join(studyDir, STUDY_FILE))) {
      throw new UsageError(
        `--from ${from} holds no saved study (${join('study', STUDY_FILE)}); point it at a folder written by a finished fmnist compare`,
      );
    }
    const outDir = parseOut(args) ?? from;
    checkOutputFolder('out', outDir, { kind: 'any' });
    const start = performance.now();
    const { files } = seeds
      ? await renderSeedsReportInto(seeds, outDir)
      : await renderReportInto(withRunTestTimeAugmentation(await loadStudy(studyDir), from), outDir);
    const seconds = (performance.now() - start) / 1000;
    reporter.result({ from, outDir, files, seconds }, () => [
      `wrote ${files.join(', ')} to ${outDir} in ${seconds.toFixed(1)} s`,
    ]);
  },
});
