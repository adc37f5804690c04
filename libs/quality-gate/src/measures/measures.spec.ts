import { describe, expect, it } from '@jest/globals';
import { DEFAULT_GATE } from '../gate/gate.js';
import { evaluateQuality, readReports } from '../gate/evaluate.js';
import { parseReport } from '../reports/parse-report.js';
import { type CoverageReport, type LintReport } from '../reports/model.js';
import { computeMeasures, WHOLE_PROJECT } from './compute.js';
import { ChangedLinesIndex, parseUnifiedDiff } from './new-code.js';
import { debtRatio, maintainabilityRating, worstSeverityRating } from './ratings.js';
import { RuleClassifier } from './rules.js';
import { SubProjects } from './sub-projects.js';

const eslint = (
  messages: { ruleId: string | null; severity: 1 | 2; line?: number; fatal?: boolean }[],
  filePath = '/ws/src/a.js',
) =>
  parseReport(
    'lint',
    'eslint.json',
    JSON.stringify([{ filePath, messages: messages.map((m) => ({ message: 'm', line: 1, ...m })) }]),
  ) as LintReport;

describe('ratings, the SonarQube way', () => {
  it('reliability and security: the worst severity of the bugs (vulnerabilities)', () => {
    expect(worstSeverityRating([])).toBe(1);
    expect(worstSeverityRating([{ severity: 'info' }])).toBe(1);
    expect(worstSeverityRating([{ severity: 'minor' }])).toBe(2);
    expect(worstSeverityRating([{ severity: 'minor' }, { severity: 'major' }])).toBe(3);
    expect(worstSeverityRating([{ severity: 'critical' }])).toBe(4);
    expect(worstSeverityRating([{ severity: 'blocker' }, { severity: 'minor' }])).toBe(5);
  });

  it('maintainability: the debt ratio against 30 minutes a line, on the 5/10/20/50 % grid', () => {
    expect(debtRatio(0, undefined)).toBe(0);
    expect(debtRatio(15, undefined)).toBeUndefined();
    expect(debtRatio(150, 100)).toBe(5);
    expect([5, 5.01, 10, 10.01, 20, 20.01, 50, 50.01].map(maintainabilityRating)).toEqual([
      1, 2, 2, 3, 3, 4, 4, 5,
    ]);
  });

  it('measures: 100 lines of code with 7 code smells (35 min) are B; a critical bug is D', () => {
    const lcov = `SF:/ws/src/a.js\n${Array.from({ length: 100 }, (_, i) => `DA:${i + 1},1`).join('\n')}\nend_of_record\n`;
    const issues = new RuleClassifier().classifyAll(
      eslint([...Array.from({ length: 7 }, () => ({ ruleId: 'prefer-const', severity: 1 as const }))]),
    );
    const m = computeMeasures(
      { coverage: parseReport('coverage', 'l', lcov) as CoverageReport, issues },
      WHOLE_PROJECT,
    );
    expect(m).toMatchObject({
      ncloc: 100,
      code_smells: 7,
      minor_violations: 7,
      sqale_index: 35,
      sqale_debt_ratio: 1.167,
      sqale_rating: 1,
    });
    const many = new RuleClassifier().classifyAll(
      eslint(Array.from({ length: 200 }, () => ({ ruleId: 'prefer-const', severity: 1 as const }))),
    );
    expect(
      computeMeasures(
        { coverage: parseReport('coverage', 'l', lcov) as CoverageReport, issues: many },
        WHOLE_PROJECT,
      ),
    ).toMatchObject({
      sqale_index: 1000,
      sqale_debt_ratio: 33.333,
      sqale_rating: 4,
    });
    const critical = new RuleClassifier({ 'no-undef': { severity: 'critical' } }).classifyAll(
      eslint([{ ruleId: 'no-undef', severity: 2 }]),
    );
    expect(computeMeasures({ issues: critical }, WHOLE_PROJECT)).toMatchObject({
      bugs: 1,
      critical_violations: 1,
      reliability_rating: 4,
      security_rating: 1,
    });
  });
});

describe('the rule-to-category table', () => {
  it('defaults: possible problems are bugs, eval and friends vulnerabilities, the rest code smells; level gives severity', () => {
    const c = new RuleClassifier();
    const classify = (ruleId: string | null, severity: 1 | 2, fatal = false) => {
      const i = c.classify({ path: 'a.js', line: 1, ruleId, level: severity, fatal, message: 'm' });
      return `${i.type}/${i.severity}`;
    };
    expect(classify('no-undef', 2)).toBe('bug/major');
    expect(classify('no-unreachable', 1)).toBe('bug/minor');
    expect(classify('no-eval', 2)).toBe('vulnerability/critical');
    expect(classify('security/detect-object-injection', 1)).toBe('vulnerability/critical');
    expect(classify('eqeqeq', 2)).toBe('code_smell/major');
    expect(classify('prefer-const', 1)).toBe('code_smell/minor');
    expect(classify(null, 2, true)).toBe('bug/blocker');
  });

  it('a gate’s rules override the defaults, by rule or by glob', () => {
    const c = new RuleClassifier({
      eqeqeq: { type: 'bug', severity: 'blocker' },
      'jsdoc/*': { severity: 'info', effort: 1 },
      'no-eval': { severity: 'blocker' },
    });
    const of = (ruleId: string) =>
      c.classify({ path: 'a.js', line: 1, ruleId, level: 2, fatal: false, message: 'm' });
    expect(of('eqeqeq')).toMatchObject({ type: 'bug', severity: 'blocker' });
    expect(of('jsdoc/require-param')).toMatchObject({
      type: 'code_smell',
      severity: 'info',
      effortMinutes: 1,
    });
    expect(of('no-eval')).toMatchObject({ type: 'vulnerability', severity: 'blocker' });
  });
});

describe('new code', () => {
  const diff = `diff --git a/src/a.js b/src/a.js
index 1111111..2222222 100644
--- a/src/a.js
+++ b/src/a.js
@@ -2,0 +3,2 @@ function a() {
+  added();
+  alsoAdded();
@@ -10 +12 @@ function b() {
-  old();
+  changed();
@@ -20,3 +22,0 @@
-  gone();
diff --git a/old.js b/old.js
deleted file mode 100644
--- a/old.js
+++ /dev/null
@@ -1,2 +0,0 @@
-x
-y
diff --git "a/src/sp\\303\\251cial.js" "b/src/sp\\303\\251cial.js"
new file mode 100644
--- /dev/null
+++ "b/src/sp\\303\\251cial.js"
@@ -0,0 +1,3 @@
+1
+2
+3
`;

  it('reads the added and changed lines of a unified diff, per file', () => {
    expect(parseUnifiedDiff(diff)).toEqual({
      'src/a.js': [
        [3, 4],
        [12, 12],
      ],
      'src/spécial.js': [[1, 3]],
    });
  });

  it('finds report paths, relative or absolute, among the changed files', () => {
    const index = new ChangedLinesIndex({ 'src/a.js': [[1, 2]], 'a.js': [[5, 5]] });
    expect(index.rangesOf('/ws/repo/src/a.js')).toEqual([[1, 2]]);
    expect(index.rangesOf('src/a.js')).toEqual([[1, 2]]);
    expect(index.rangesOf('a.js')).toEqual([[5, 5]]);
    expect(index.rangesOf('/ws/repo/lib/a.js')).toEqual([[5, 5]]);
    expect(index.rangesOf('/ws/repo/src/b.js')).toBeUndefined();
  });

  it('coverage, issues, duplication and ratings on the changed lines only; a new-code condition gates them', () => {
    const hits = [1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
    const lcov = `SF:/ws/src/a.js\n${hits.map((h, i) => `DA:${i + 1},${h}`).join('\n')}\nBRDA:3,0,0,-\nBRDA:3,0,1,1\nBRDA:9,0,0,1\nend_of_record\n`;
    const read = readReports([
      { kind: 'coverage', file: 'lcov.info', content: lcov },
      {
        kind: 'lint',
        file: 'eslint.json',
        content: JSON.stringify([
          {
            filePath: '/ws/src/a.js',
            messages: [
              { ruleId: 'no-undef', severity: 2, line: 4, message: 'new bug' },
              { ruleId: 'eqeqeq', severity: 2, line: 11, message: 'old smell' },
            ],
          },
        ]),
      },
      {
        kind: 'duplication',
        file: 'jscpd.json',
        content: JSON.stringify({
          duplicates: [
            {
              firstFile: { name: 'src/a.js', start: 2, end: 5 },
              secondFile: { name: 'src/b.js', start: 1, end: 4 },
            },
          ],
        }),
      },
    ]);
    const gate = {
      ...DEFAULT_GATE,
      conditions: [
        { metric: 'coverage' as const, op: 'lt' as const, error: 80, onNewCode: true },
        { metric: 'bugs' as const, op: 'gt' as const, error: 0, onNewCode: true },
        { metric: 'code_smells' as const, op: 'gt' as const, error: 0, onNewCode: true },
      ],
    };
    const result = evaluateQuality(read, { gate, changedLines: { 'src/a.js': [[3, 4]] } });
    expect(result.project.measures).toMatchObject({
      new_lines: 2,
      new_lines_to_cover: 2,
      new_uncovered_lines: 2,
      new_conditions_to_cover: 2,
      new_uncovered_conditions: 1,
      new_coverage: 25,
      new_bugs: 1,
      new_code_smells: 0,
      new_reliability_rating: 3,
      new_duplicated_lines: 2,
      new_duplicated_lines_density: 100,
      coverage: 80,
      code_smells: 1,
    });
    expect(result.project.conditions.map((c) => `${c.metric}:${c.status}`)).toEqual([
      'new_coverage:ERROR',
      'new_bugs:ERROR',
      'new_code_smells:OK',
    ]);
    expect(result.newCode).toEqual({ available: true, files: 1, lines: 2 });

    const first = evaluateQuality(read, {
      gate,
      newCodeReason: 'the first main build: nothing to compare with',
    });
    expect(first.project.conditions.map((c) => c.status)).toEqual(['NO_VALUE', 'NO_VALUE', 'NO_VALUE']);
    expect(first.status).toBe('OK');
    expect(first.newCode).toEqual({
      available: false,
      reason: 'the first main build: nothing to compare with',
    });
  });
});

describe('sub-projects', () => {
  it('finds the folder a glob names anywhere in a path', () => {
    const s = new SubProjects(['api/v*', 'packages/*']);
    expect(s.of('/ws/repo/api/v1/src/a.js')).toBe('api/v1');
    expect(s.of('api/v2/b.js')).toBe('api/v2');
    expect(s.of('C:\\ws\\api\\v3\\c.js')).toBe('api/v3');
    expect(s.of('packages/core/index.js')).toBe('packages/core');
    expect(s.of('api/v1.js')).toBeUndefined();
    expect(s.of('src/api/a.js')).toBeUndefined();
    expect(s.scopes(['/x/api/v2/a.js', 'api/v1/b.js', 'lib/c.js', 'api/v1/d.js']).map((x) => x.name)).toEqual(
      ['api/v1', 'api/v2'],
    );
  });
});
