/** Renders a report into a run folder atomically: into a hidden staging folder, then renamed into place. */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { replacePath, temporaryPathFor } from '@fmnist/internal/node';
import type { SeedsMetrics, Study } from '@fmnist/viz';

/**
 * Runs `render` into a staging folder, then moves what it wrote (report.html, report.md, figures/) into `outDir`,
 * replacing earlier ones only once all are complete.
 */
async function renderInto(outDir: string, render: (staging: string) => Promise<unknown>): Promise<{ files: string[] }> {
  const staging = temporaryPathFor(join(outDir, 'report'));
  await mkdir(staging, { recursive: true });
  try {
    await render(staging);
    const entries = await readdir(staging);
    // The HTML report last, so its presence means the rest is there.
    entries.sort((a, b) => Number(a === 'report.html') - Number(b === 'report.html'));
    for (const entry of entries) await replacePath(join(staging, entry), join(outDir, entry));
    return { files: entries };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Writes a study's report.html, report.md and figures/ under `outDir`. */
export function renderReportInto(study: Study, outDir: string): Promise<{ files: string[] }> {
  return renderInto(outDir, async (staging) => {
    // Loaded on demand: Vega and the rasterizer are heavy and only needed once training is done.
    const { renderReport } = await import('@fmnist/viz/node');
    await renderReport(study, { outDir: staging });
  });
}

/** Writes the report over several seeds (`compare --seeds`): report.html, report.md and figures/ under `outDir`. */
export function renderSeedsReportInto(metrics: SeedsMetrics, outDir: string): Promise<{ files: string[] }> {
  return renderInto(outDir, async (staging) => {
    const { renderSeedsReport } = await import('@fmnist/viz/node');
    await renderSeedsReport(metrics, { outDir: staging });
  });
}
