// The tests as CI runs them: spec output on the console, JUnit XML, LCOV coverage, and an Istanbul
// coverage-summary.json computed from the LCOV (node:test writes LCOV only).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

mkdirSync('coverage', { recursive: true });
mkdirSync('reports', { recursive: true });
const run = spawnSync(
  process.execPath,
  [
    '--test',
    '--experimental-test-coverage',
    '--test-coverage-exclude=test/**',
    '--test-coverage-exclude=scripts/**',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=lcov',
    '--test-reporter-destination=coverage/lcov.info',
    '--test-reporter=junit',
    '--test-reporter-destination=reports/junit.xml',
  ],
  { stdio: 'inherit' },
);

const totals = { lines: [0, 0], functions: [0, 0], branches: [0, 0] };
const keys = {
  LF: ['lines', 0],
  LH: ['lines', 1],
  FNF: ['functions', 0],
  FNH: ['functions', 1],
  BRF: ['branches', 0],
  BRH: ['branches', 1],
};
for (const line of readFileSync('coverage/lcov.info', 'utf8').split('\n')) {
  const [key, value] = line.split(':');
  if (keys[key]) totals[keys[key][0]][keys[key][1]] += Number(value);
}
const metric = ([total, covered]) => ({
  total,
  covered,
  skipped: 0,
  pct: total === 0 ? 100 : Math.round((covered / total) * 10000) / 100,
});
const summary = {
  total: {
    lines: metric(totals.lines),
    statements: metric(totals.lines),
    functions: metric(totals.functions),
    branches: metric(totals.branches),
  },
};
writeFileSync('coverage/coverage-summary.json', `${JSON.stringify(summary, null, 2)}\n`);
console.log(`coverage: ${summary.total.lines.pct}% of lines, ${summary.total.branches.pct}% of branches`);
process.exit(run.status ?? 1);
