import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_GATE, type QualityGate } from '../gate/gate.js';
import { evaluateQuality, readReports, type ReportInput } from '../gate/evaluate.js';
import { FIXTURES, sampleAppReports, type SampleAppReports } from '../testing/index.js';
import {
  type AuditReport,
  type CoverageReport,
  type DuplicationReport,
  type LintReport,
  type TestReport,
} from './model.js';
import { parseReport, REPORT_KIND_NAMES } from './parse-report.js';

// Real reports: the sample app's own test script (node:test), c8, ESLint and jscpd run on a copy of it.
let clean: SampleAppReports;
let spoiled: SampleAppReports;

beforeAll(async () => {
  [clean, spoiled] = await Promise.all([sampleAppReports(), sampleAppReports({ spoiled: true })]);
}, 90_000);
afterAll(async () => {
  await Promise.all([clean?.remove(), spoiled?.remove()]);
});

const inputs = async (reports: SampleAppReports): Promise<ReportInput[]> =>
  Promise.all(
    REPORT_KIND_NAMES.map(async (kind) => ({
      kind,
      file: reports.files[kind],
      content: await reports.read(kind),
    })),
  );

describe('parsers on the sample app’s real reports', () => {
  it('reads node:test’s LCOV: every source file with lines, branches and functions, line by line', async () => {
    const report = parseReport('coverage', 'lcov.info', await clean.read('coverage')) as CoverageReport;
    expect(report.files.map((f) => f.path).sort()).toEqual(['src/app.js', 'src/flags.js', 'src/metrics.js']);
    const app = report.files.find((f) => f.path === 'src/app.js')!;
    expect(app.lines.found).toBeGreaterThan(50);
    expect(app.lines.hit).toBe(app.detail!.lineHits.filter((h) => h > 0).length);
    expect(app.branches.found).toBe(app.detail!.branchLines.length);
    expect(app.functions.found).toBeGreaterThan(3);
  });

  it('reads c8’s Cobertura XML and Istanbul json-summary with the same totals', async () => {
    const cobertura = parseReport(
      'cobertura',
      'cobertura.xml',
      await clean.read('cobertura'),
    ) as CoverageReport;
    const summary = parseReport(
      'coverageSummary',
      'summary.json',
      await clean.read('coverageSummary'),
    ) as CoverageReport;
    const xml = await clean.read('cobertura');
    const linesValid = Number(/lines-valid="(\d+)"/.exec(xml)![1]);
    const branchesValid = Number(/branches-valid="(\d+)"/.exec(xml)![1]);
    const sum = (r: CoverageReport, k: 'lines' | 'branches') => r.files.reduce((n, f) => n + f[k].found, 0);
    expect(sum(cobertura, 'lines')).toBe(linesValid);
    expect(sum(cobertura, 'branches')).toBe(branchesValid);
    expect(summary.total!.lines.found).toBe(linesValid);
    expect(sum(summary, 'lines')).toBe(linesValid);
    expect(cobertura.files.every((f) => f.detail !== undefined)).toBe(true);
    expect(summary.files.every((f) => f.detail === undefined)).toBe(true);
  });

  it('reads ESLint’s JSON: the spoiled app’s messages with rule, line and level', async () => {
    const lint = parseReport('lint', 'eslint.json', await spoiled.read('lint')) as LintReport;
    const rules = lint.messages.map((m) => `${m.ruleId}@${m.path.split('/sample-app/')[1]}:${m.line}`).sort();
    expect(rules).toEqual([
      'eqeqeq@api/v1/orders.js:9',
      'no-dupe-keys@api/v1/orders.js:15',
      'no-eval@api/v1/orders.js:19',
      'no-unused-vars@api/v1/orders.js:14',
    ]);
    expect((parseReport('lint', 'clean.json', await clean.read('lint')) as LintReport).messages).toEqual([]);
  });

  it('reads jscpd’s JSON: the clone between api/v1 and api/v2 as two blocks', async () => {
    const dup = parseReport(
      'duplication',
      'jscpd.json',
      await spoiled.read('duplication'),
    ) as DuplicationReport;
    expect(dup.blocks).toEqual([
      { path: 'api/v1/format.js', start: 2, end: 13 },
      { path: 'api/v2/format.js', start: 2, end: 13 },
    ]);
    expect(dup.totalLines).toBeGreaterThan(300);
    expect(
      (parseReport('duplication', 'c.json', await clean.read('duplication')) as DuplicationReport).blocks,
    ).toEqual([]);
  });

  it('reads node:test’s JUnit XML, top-level cases and suites, with the failure’s message', async () => {
    const tests = parseReport('junit', 'junit.xml', await spoiled.read('junit')) as TestReport;
    expect(tests.cases).toHaveLength(9);
    const failed = tests.cases.filter((c) => c.outcome === 'failed');
    expect(failed.map((c) => c.name)).toEqual(['a discount never makes an empty order negative']);
    expect(failed[0]!.message).toContain('Expected values to be strictly equal');
    expect(failed[0]!.file).toMatch(/test\/orders\.test\.js$/);
  });

  it('reads npm audit JSON (v2) by severity; the audit endpoint’s refusal is an unreadable report', async () => {
    const audit = parseReport('audit', 'audit.json', await spoiled.read('audit')) as AuditReport;
    expect(audit.counts).toEqual({ info: 0, low: 1, moderate: 0, high: 1, critical: 0 });
    expect(audit.packages.map((p) => `${p.name}:${p.severity}`)).toEqual(['semver:high', 'cookie:low']);
    // What `npm audit --json` printed on this machine, where the registry has no audit endpoint.
    const refused = await readFile(join(FIXTURES, 'npm-audit-endpoint-refused.json'), 'utf8');
    expect(() => parseReport('audit', 'audit.json', refused)).toThrow(
      /audit\.json: npm audit did not run: 405 Method Not Allowed/,
    );
  });
});

describe('the gate on the sample app', () => {
  it('passes the clean app with the default gate (coverage above 95 %, no issue)', async () => {
    const result = evaluateQuality(readReports(await inputs(clean)), { gate: DEFAULT_GATE });
    expect(result.unreadable).toEqual([]);
    expect(result.project.measures.code_smells).toBe(0);
    expect(result.project.measures.coverage).toBeGreaterThan(95);
    expect(result.coverageFrom).toBe('coverage');
    expect(result.status).toBe('OK');
  });

  it('fails the spoiled app, in both API versions, saying which conditions and which folders', async () => {
    const gate: QualityGate = { ...DEFAULT_GATE, subProjects: ['api/v*'] };
    const result = evaluateQuality(readReports(await inputs(spoiled)), { gate });
    expect(result.status).toBe('ERROR');
    const failed = (name: string) =>
      [result.project, ...result.subProjects]
        .find((p) => p.name === name)!
        .conditions.filter((c) => c.status === 'ERROR')
        .map((c) => c.metric);
    expect(result.subProjects.map((p) => `${p.name}:${p.status}`)).toEqual(['api/v1:ERROR', 'api/v2:ERROR']);
    expect(result.failing).toEqual(['(project)', 'api/v1', 'api/v2']);
    expect(failed('api/v1')).toEqual([
      'bugs',
      'code_smells',
      'duplicated_blocks',
      'major_violations',
      'vulnerabilities',
      'coverage',
      'reliability_rating',
      'security_rating',
    ]);
    expect(failed('api/v2')).toEqual(['duplicated_blocks', 'coverage']);
    const v1 = result.subProjects[0]!.measures;
    expect(v1).toMatchObject({
      bugs: 1,
      vulnerabilities: 1,
      code_smells: 2,
      duplicated_blocks: 1,
      reliability_rating: 3,
      security_rating: 4,
    });
    // The whole project also counts the audited dependencies (high -> critical vulnerability).
    expect(result.project.measures).toMatchObject({
      vulnerabilities: 3,
      vulnerable_dependencies: 2,
      audit_high: 1,
      test_failures: 1,
    });
  });
});
