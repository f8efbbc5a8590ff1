// Prints the one plain totals line "N passed, N failed, N skipped" from vitest's JSON report (skipped counts every
// test that neither passed nor failed: skipped, pending and todo). A failing step before vitest (build, types, lint)
// counts as one failure so a run that executed nothing never looks green.
// Usage: node scripts/test-totals.mjs <vitest.json> <exit status of the test command>
import { existsSync, readFileSync } from 'node:fs';

const [reportPath, statusText] = process.argv.slice(2);
const status = Number(statusText ?? 1);
let passed = 0;
let failed = 0;
let skipped = 0;
if (reportPath && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed = report.numPassedTests ?? 0;
  failed = report.numFailedTests ?? 0;
  skipped = Math.max(0, (report.numTotalTests ?? 0) - passed - failed);
  // A file that fails to load has no tests in it; count it so it is not silent.
  for (const file of report.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed += 1;
  }
}
if (status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && status === 0 ? 0 : 1);
