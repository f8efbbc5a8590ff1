/**
 * `fmnist compare --seeds`: the whole study once per seed, each in its own folder (`seed-<S>/`, what `fmnist compare
 * --seed S` writes), then the aggregate over the seeds (metrics.json, report.html, report.md, figures/) in the run
 * folder. Ctrl-C keeps the finished seeds and writes their aggregate.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '@fmnist/internal/node';
import { selectBackend } from '@fmnist/models';
import { aggregateSeeds, type SeedStudy, type SeedsMetrics, type StudyMetrics } from '@fmnist/viz';
import type { BACKEND_NAMES } from './args.js';
import { InterruptedError } from './errors.js';
import { plural, type Reporter } from './progress.js';
import { renderSeedsReportInto } from './render.js';
import { loadRunData, type RunData, RunRecorder, type RunSettings, runInFolder, writeRunRecord } from './run.js';
import type { Interruption } from './signals.js';

/** The folder of one seed's study, relative to the run folder. */
export function seedFolder(seed: number): string {
  return `seed-${seed}`;
}

export interface SeedsRun {
  outDir: string;
  seeds: readonly number[];
  settings: Omit<RunSettings, 'command' | 'seed' | 'backend'> & { backend: (typeof BACKEND_NAMES)[number] };
  dataDir: string | undefined;
  reporter: Reporter;
  interruption: Interruption;
  /** Runs the study of `seed` in `outDir` on the files already loaded; returns its metrics.json object. */
  runSeed: (seed: number, outDir: string, loaded: RunData) => Promise<StudyMetrics>;
}

/** Writes the aggregate over the finished seeds: metrics.json, then the report and its figure. */
async function writeAggregate(outDir: string, finished: SeedStudy[], recorder: RunRecorder): Promise<SeedsMetrics> {
  const metrics = await recorder.time('metrics', async () => {
    const metrics = aggregateSeeds(finished);
    await writeJsonAtomic(join(outDir, 'metrics.json'), metrics);
    recorder.completed.push('metrics.json');
    return metrics;
  });
  const report = await recorder.time('report', () => renderSeedsReportInto(metrics, outDir));
  recorder.completed.push(...report.files);
  return metrics;
}

/** Runs every seed's study in turn and writes their aggregate; see the module comment. */
export async function runSeeds(run: SeedsRun): Promise<{ metrics: SeedsMetrics; wallSeconds: number }> {
  const { outDir, seeds, reporter, interruption } = run;
  const recorder = new RunRecorder({ ...run.settings, command: 'compare', seed: seeds[0] ?? 0 });
  const finished: SeedStudy[] = [];
  recorder.seeds = { requested: [...seeds], finished: [] };
  reporter.info(`writing the study of ${plural(seeds.length, 'seed')} (${seeds.join(', ')}) to ${outDir}`);
  return runInFolder(outDir, recorder, interruption, async () => {
    const backend = await selectBackend(run.settings.backend);
    recorder.selectedBackend(backend);
    // The files once; each seed draws its own split and subset from them.
    const loaded = await recorder.time('load', () =>
      loadRunData({ dataDir: run.dataDir, signal: interruption.signal }),
    );
    try {
      for (const [index, seed] of seeds.entries()) {
        interruption.throwIfInterrupted();
        const folder = seedFolder(seed);
        reporter.info(`seed ${seed} (${index + 1} of ${seeds.length}): the study in ${folder}/`);
        const metrics = await recorder.time(`seed${seed}`, () => run.runSeed(seed, join(outDir, folder), loaded));
        finished.push({ seed, folder, metrics });
        recorder.seeds?.finished.push(seed);
        recorder.completed.push(folder);
      }
    } catch (error) {
      if (!interruption.signal.aborted) throw error;
      const stopped = seeds[finished.length];
      if (finished.length === 0) {
        throw new InterruptedError(`interrupted during seed ${stopped}; no seed finished, so there is no aggregate`);
      }
      await writeAggregate(outDir, finished, recorder);
      const done = finished.map((study) => study.seed);
      throw new InterruptedError(
        `interrupted during seed ${stopped}; finished ${plural(done.length, 'seed')}: ${done.join(', ')} ` +
          `(kept in ${done.map((seed) => `${seedFolder(seed)}/`).join(', ')}, their aggregate in ${outDir})`,
      );
    }
    const metrics = await writeAggregate(outDir, finished, recorder);
    await writeRunRecord(outDir, recorder.record('complete'));
    return { metrics, wallSeconds: recorder.seconds() };
  });
}
