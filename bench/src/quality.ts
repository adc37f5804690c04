import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * bench/quality: parse and gate the reports of a large project (a generated LCOV of 200,000 lines
 * over 2,000 files, with branches and functions, and ESLint, jscpd, npm audit and JUnit reports of
 * matching size) with the built-in gate, four `api/v*` sub-projects and new code from a diff. Each
 * run is its own process (peak RSS is the process's). The floor: a process that only reads the
 * same files. Goal: under 1 s and under 200 MB.
 */
const FILES = 2_000;
const LINES_PER_FILE = 100;
const RUNS = 5;
const GOAL_MS = 1_000;
const GOAL_MB = 200;

function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const pathOf = (i: number) =>
  i % 2 === 0 ? `api/v${(i % 8) / 2 + 1}/src/module-${i}.ts` : `lib/part-${i % 50}/file-${i}.ts`;

function generate(dir: string): Record<string, number> {
  const random = seeded(42);
  const lcov: string[] = [];
  for (let f = 0; f < FILES; f++) {
    lcov.push('TN:', `SF:/workspace/app/${pathOf(f)}`);
    for (let fn = 0; fn < 10; fn++) lcov.push(`FN:${fn * 10 + 1},fn${fn}`);
    for (let fn = 0; fn < 10; fn++)
      lcov.push(`FNDA:${random() < 0.9 ? Math.floor(random() * 50) + 1 : 0},fn${fn}`);
    lcov.push('FNF:10', `FNH:9`);
    let hit = 0;
    for (let line = 1; line <= LINES_PER_FILE; line++) {
      const hits = random() < 0.93 ? Math.floor(random() * 20) + 1 : 0;
      if (hits > 0) hit++;
      lcov.push(`DA:${line},${hits}`);
    }
    for (let b = 0; b < 25; b++) lcov.push(`BRDA:${b * 4 + 2},${b},0,${random() < 0.85 ? 3 : '-'}`);
    lcov.push('BRF:25', 'BRH:21', `LF:${LINES_PER_FILE}`, `LH:${hit}`, 'end_of_record');
  }
  writeFileSync(join(dir, 'lcov.info'), `${lcov.join('\n')}\n`);

  const rules = ['no-unused-vars', 'eqeqeq', 'prefer-const', 'no-undef', 'no-console', 'complexity'];
  const eslint = Array.from({ length: FILES }, (_, f) => ({
    filePath: `/workspace/app/${pathOf(f)}`,
    messages: Array.from({ length: f % 3 === 0 ? 2 : 0 }, (_, m) => ({
      ruleId: rules[(f + m) % rules.length],
      severity: m % 2 === 0 ? 2 : 1,
      message: 'a realistic message of some length for the rule that fired here',
      line: ((m * 17 + f) % LINES_PER_FILE) + 1,
      column: 5,
      nodeType: 'Identifier',
      endLine: ((m * 17 + f) % LINES_PER_FILE) + 1,
      endColumn: 12,
    })),
    suppressedMessages: [],
    errorCount: 1,
    fatalErrorCount: 0,
    warningCount: 1,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  }));
  writeFileSync(join(dir, 'eslint.json'), JSON.stringify(eslint));

  const duplicates = Array.from({ length: 200 }, (_, i) => {
    const at = (f: number) => ({
      name: pathOf(f),
      start: 10 + (i % 50),
      end: 25 + (i % 50),
      startLoc: { line: 10, column: 0 },
      endLoc: { line: 25, column: 1 },
    });
    return {
      format: 'typescript',
      lines: 16,
      tokens: 120,
      fragment: 'x'.repeat(400),
      firstFile: at(i * 7),
      secondFile: at(i * 7 + 3),
    };
  });
  writeFileSync(
    join(dir, 'jscpd-report.json'),
    JSON.stringify({
      duplicates,
      statistics: { total: { lines: FILES * 140, sources: FILES, clones: 200 } },
    }),
  );

  const vulnerabilities = Object.fromEntries(
    Array.from({ length: 20 }, (_, i) => [
      `pkg-${i}`,
      {
        name: `pkg-${i}`,
        severity: (['low', 'moderate', 'high', 'critical'] as const)[i % 4],
        isDirect: false,
        via: [{ title: 'advisory', url: 'https://example.com/a' }],
        effects: [],
        range: '<1.0.0',
        nodes: [],
        fixAvailable: true,
      },
    ]),
  );
  writeFileSync(
    join(dir, 'npm-audit.json'),
    JSON.stringify({
      auditReportVersion: 2,
      vulnerabilities,
      metadata: { vulnerabilities: { info: 0, low: 5, moderate: 5, high: 5, critical: 5, total: 20 } },
    }),
  );

  const cases = Array.from({ length: 3_000 }, (_, i) =>
    i % 500 === 0
      ? `<testcase name="case ${i}" classname="suite ${i % 40}" time="0.01" file="/workspace/app/${pathOf(i % FILES)}"><failure message="expected 1 to be 2">AssertionError: expected 1 to be 2\n    at stack</failure></testcase>`
      : `<testcase name="case ${i}" classname="suite ${i % 40}" time="0.01" file="/workspace/app/${pathOf(i % FILES)}"/>`,
  );
  writeFileSync(
    join(dir, 'junit.xml'),
    `<?xml version="1.0"?>\n<testsuites><testsuite name="all" tests="3000">${cases.join('\n')}</testsuite></testsuites>\n`,
  );

  // New code: five changed hunks in every tenth file.
  const diff: string[] = [];
  for (let f = 0; f < FILES; f += 10) {
    diff.push(`diff --git a/${pathOf(f)} b/${pathOf(f)}`, `--- a/${pathOf(f)}`, `+++ b/${pathOf(f)}`);
    for (let h = 0; h < 5; h++) diff.push(`@@ -${h * 20 + 1},2 +${h * 20 + 1},4 @@`, '+a', '+b', '+c', '+d');
  }
  writeFileSync(join(dir, 'changes.diff'), `${diff.join('\n')}\n`);

  const sizes: Record<string, number> = {};
  for (const file of [
    'lcov.info',
    'eslint.json',
    'jscpd-report.json',
    'npm-audit.json',
    'junit.xml',
    'changes.diff',
  ])
    sizes[file] = statSync(join(dir, file)).size;
  return sizes;
}

interface Run {
  readMs: number;
  parseAndGateMs: number;
  maxRssMb: number;
  status: string;
}

function runChild(dir: string, mode: 'gate' | 'floor'): Run {
  const script = join(dirname(fileURLToPath(import.meta.url)), '_quality-child.js');
  const result = spawnSync(process.execPath, [script, dir, mode], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${mode} run failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Run;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const r1 = (n: number) => Math.round(n * 10) / 10;

export function main(_args: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aviary-bench-quality-'));
  try {
    const sizes = generate(dir);
    runChild(dir, 'gate'); // warm the file cache
    const gate = Array.from({ length: RUNS }, () => runChild(dir, 'gate'));
    const floor = Array.from({ length: RUNS }, () => runChild(dir, 'floor'));
    const ms = median(gate.map((r) => r.parseAndGateMs));
    const worstMs = Math.max(...gate.map((r) => r.parseAndGateMs));
    const peak = Math.max(...gate.map((r) => r.maxRssMb));
    const floorPeak = Math.max(...floor.map((r) => r.maxRssMb));
    const readMs = median(gate.map((r) => r.readMs));
    const mb = (bytes: number) => `${r1(bytes / 1024 / 1024)} MB`;
    console.log(
      `reports: ${Object.entries(sizes)
        .map(([f, s]) => `${f} ${mb(s)}`)
        .join(', ')}`,
    );
    console.log(`gate result: ${gate[0]!.status}`);
    console.log('');
    console.log('| run (own process, 5 runs)          | median ms | worst ms | peak RSS MB |');
    console.log('| ---------------------------------- | --------: | -------: | ----------: |');
    console.log(
      `| parse + gate (after reading files) | ${r1(ms).toString().padStart(9)} | ${r1(worstMs).toString().padStart(8)} | ${r1(peak).toString().padStart(11)} |`,
    );
    console.log(
      `| read the files                     | ${r1(readMs).toString().padStart(9)} |          |             |`,
    );
    console.log(
      `| floor: read the files only         | ${r1(median(floor.map((r) => r.readMs)))
        .toString()
        .padStart(9)} |          | ${r1(floorPeak).toString().padStart(11)} |`,
    );
    console.log('');
    console.log(
      JSON.stringify({
        bench: 'quality',
        figures: {
          lcov_lines: FILES * LINES_PER_FILE,
          files: FILES,
          parse_and_gate_ms_median: r1(ms),
          parse_and_gate_ms_worst: r1(worstMs),
          read_ms_median: r1(readMs),
          peak_rss_mb: r1(peak),
          floor_peak_rss_mb: r1(floorPeak),
        },
        goal: `parse and gate a 200,000-line LCOV over 2,000 files (with ESLint, jscpd, npm audit and JUnit reports) in under ${GOAL_MS} ms and ${GOAL_MB} MB`,
        met: worstMs + readMs < GOAL_MS && peak < GOAL_MB,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return Promise.resolve();
}
