/** Rendering speed for a full-size study (10,000 test images): specs, SVGs, PNGs and the whole report. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixtureStudy } from '../src/__fixtures__/study.js';
import { figureSpecs, renderFigures, renderReport, renderSvg } from '../src/node.js';

const ROUNDS = 3;
const study = makeFixtureStudy({ count: 10_000 });
const scratch = await mkdtemp(join(tmpdir(), 'fmnist-viz-bench-'));

async function median(run: () => Promise<unknown>): Promise<number> {
  const seconds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    await run();
    seconds.push((performance.now() - started) / 1000);
  }
  return seconds.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
}

// One warm-up so module loading and JIT do not count.
await renderFigures(study, { formats: ['svg'] });
const rows: [string, number][] = [
  ['figureSpecs (9 figures)', await median(async () => figureSpecs(study))],
  [
    'SVG, all figures',
    await median(async () => Promise.all(figureSpecs(study).map((figure) => renderSvg(figure.spec)))),
  ],
  ['SVG + PNG (scale 2), all figures', await median(() => renderFigures(study))],
  ['renderReport (files written)', await median(() => renderReport(study, { outDir: scratch }))],
];
await rm(scratch, { recursive: true, force: true });
console.log(`@fmnist/viz, ${study.test.count} test images, ${study.models.length} models, median of ${ROUNDS}:`);
for (const [name, seconds] of rows) console.log(`  ${name.padEnd(36)} ${seconds.toFixed(2)} s`);
