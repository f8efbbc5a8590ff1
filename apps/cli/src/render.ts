/** Renders a study's report into a run folder atomically: into a hidden staging folder, then renamed into place. */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { replacePath, temporaryPathFor } from '@fmnist/internal/node';
import type { Study } from '@fmnist/viz';

/** Writes report.html, report.md and figures/ under `outDir`, replacing earlier ones only once all are complete. */
export async function renderReportInto(study: Study, outDir: string): Promise<{ files: string[] }> {
  // Loaded on demand: Vega and the rasterizer are heavy and only needed once training is done.
  const { renderReport } = await import('@fmnist/viz/node');
  const staging = temporaryPathFor(join(outDir, 'report'));
  await mkdir(staging, { recursive: true });
  try {
    await renderReport(study, { outDir: staging });
    const entries = await readdir(staging);
    // The HTML report last, so its presence means the rest is there.
    entries.sort((a, b) => Number(a === 'report.html') - Number(b === 'report.html'));
    for (const entry of entries) await replacePath(join(staging, entry), join(outDir, entry));
    return { files: entries };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
