/** Rendering speed for a full-size study (10,000 test images): specs, SVGs, PNGs and the whole report. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFixtureStudy } from '../src/__fixtures__/study.js';
import { figureSpecs, renderFigures, renderReport, renderSvg } from '../src/node.js';

const ROUNDS = 3;
const study = makeFixtureStudy({ count: 10_000 });
const scratch = await mkdtemp(join(tmpdir(), 'fmnist-viz-bench-'));

/** Median wall and CPU seconds (CPU of all this process's threads, resvg's included) over the rounds. */
async function median(run: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    await run();
    const used = process.cpuUsage(cpuStarted);
    wall.push((performance.now() - started) / 1000);
    cpu.push((used.user + used.system) / 1e6);
  }
  const middle = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
  return { wall: middle(wall), cpu: middle(cpu) };
}

// One warm-up so module loading and JIT do not count.
await renderFigures(study, { formats: ['svg'] });
const rows: [string, { wall: number; cpu: number }][] = [
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
console.log(`  ${'step'.padEnd(36)} ${'wall'.padStart(7)} ${'CPU'.padStart(7)}`);
for (const [name, { wall, cpu }] of rows) {
  console.log(`  ${name.padEnd(36)} ${wall.toFixed(2).padStart(5)} s ${cpu.toFixed(2).padStart(5)} s`);
}
