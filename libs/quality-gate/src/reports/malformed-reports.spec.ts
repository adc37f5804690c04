import { describe, expect, it } from '@jest/globals';
import { DEFAULT_GATE } from '../gate/gate.js';
import { evaluateQuality, readReports } from '../gate/evaluate.js';
import { type CoverageReport } from './model.js';
import { parseReport, type ReportKind } from './parse-report.js';

const refused = (kind: ReportKind, content: string | Uint8Array, problem: RegExp) => () =>
  expect(() => parseReport(kind, `reports/${kind}.x`, content)).toThrow(
    new RegExp(`^reports/${kind}\\.x: ${problem.source}`),
  );

describe('every parser names the file and the problem of a malformed report', () => {
  it(
    'LCOV: an unknown record',
    refused('coverage', 'SF:a.js\nXX:1\nend_of_record\n', /line 2: "XX:1" is not an LCOV record/),
  );
  it(
    'LCOV: a bad hit count',
    refused(
      'coverage',
      'SF:a.js\nDA:3,many\nend_of_record\n',
      /line 2: hit count "many" is not a whole number/,
    ),
  );
  it('LCOV: truncated', refused('coverage', 'SF:a.js\nDA:1,1\n', /the record of a\.js has no end_of_record/));
  it('LCOV: not LCOV at all', refused('coverage', '{"total": {}}', /line 1: .* is not an LCOV record/));
  it('LCOV: empty', refused('coverage', '\n', /no file record/));
  it('LCOV: a record outside a file', refused('coverage', 'DA:1,1\n', /line 1: DA outside a file record/));
  it(
    'any report: not UTF-8',
    refused('coverage', new Uint8Array([0xff, 0xfe, 0x00, 0xc3]), /not UTF-8 text/),
  );
  it('istanbul summary: not JSON', refused('coverageSummary', '{"total":', /not JSON: /));
  it(
    'istanbul summary: no total',
    refused(
      'coverageSummary',
      '{"a.js": {"lines": {"total": 1, "covered": 1}, "functions": {"total": 1, "covered": 1}, "branches": {"total": 0, "covered": 0}}}',
      /not an istanbul coverage summary: \(root\): has no "total" entry/,
    ),
  );
  it(
    'istanbul summary: a count missing',
    refused(
      'coverageSummary',
      '{"total": {"lines": {"total": 1}}}',
      /not an istanbul coverage summary: total\.lines\.covered/,
    ),
  );
  it(
    'Cobertura: not well-formed',
    refused('cobertura', '<coverage><packages></coverage>', /not well-formed XML at line 1, column \d+/),
  );
  it('Cobertura: another document', refused('cobertura', '<testsuites/>', /no <coverage> root element/));
  it(
    'Cobertura: a bad line number',
    refused(
      'cobertura',
      '<coverage><packages><package><classes><class filename="a.js"><lines><line number="x" hits="1"/></lines></class></classes></package></packages></coverage>',
      /a\.js line x: attribute number="x" is not a whole number/,
    ),
  );
  it(
    'Cobertura: a bad condition coverage',
    refused(
      'cobertura',
      '<coverage><packages><package><classes><class filename="a.js"><lines><line number="1" hits="1" branch="true" condition-coverage="half"/></lines></class></classes></package></packages></coverage>',
      /a\.js line 1: condition-coverage "half"/,
    ),
  );
  it(
    'ESLint: not a list of results',
    refused('lint', '{"filePath": "a.js"}', /not an ESLint JSON report: \(root\): /),
  );
  it(
    'ESLint: a message without severity',
    refused(
      'lint',
      '[{"filePath": "a.js", "messages": [{"message": "x"}]}]',
      /not an ESLint JSON report: 0\.messages\.0\.severity/,
    ),
  );
  it(
    'jscpd: no duplicates list',
    refused('duplication', '{"statistics": {}}', /not a jscpd JSON report: duplicates/),
  );
  it(
    'jscpd: a clone ending before it starts',
    refused(
      'duplication',
      '{"duplicates": [{"firstFile": {"name": "a.js", "start": 9, "end": 2}, "secondFile": {"name": "b.js", "start": 1, "end": 8}}]}',
      /a clone in a\.js ends \(2\) before it starts \(9\)/,
    ),
  );
  it(
    'npm audit: another JSON',
    refused('audit', '{"auditReportVersion": 2}', /not an npm audit JSON report: /),
  );
  it(
    'npm audit: audit failed',
    refused(
      'audit',
      '{"error": {"code": "ENOLOCK", "summary": "This command requires an existing lockfile."}}',
      /npm audit did not run: This command requires an existing lockfile\./,
    ),
  );
  it(
    'JUnit: truncated XML',
    refused('junit', '<testsuites><testsuite name="a"><testcase name="x">', /not well-formed XML/),
  );
  it(
    'JUnit: another document',
    refused('junit', '<coverage/>', /no <testsuites> or <testsuite> root element/),
  );
  it(
    'JUnit: a case without a name',
    refused(
      'junit',
      '<testsuite name="s"><testcase classname="c"/></testsuite>',
      /a testcase in suite "s" has no name/,
    ),
  );
});

describe('an unreadable report', () => {
  it('fails the gate with the report named, even when the other reports pass', () => {
    const read = readReports([
      { kind: 'coverage', file: 'coverage/lcov.info', content: 'SF:a.js\nDA:1,1\nend_of_record\n' },
      { kind: 'lint', file: 'eslint.json', content: 'Oops, ESLint crashed' },
    ]);
    const result = evaluateQuality(read, { gate: DEFAULT_GATE });
    expect(result.status).toBe('ERROR');
    expect(result.unreadable).toEqual([
      { kind: 'lint', file: 'eslint.json', problem: expect.stringMatching(/^not JSON: /) },
    ]);
    expect(result.project.status).toBe('OK');
  });

  it('fails the gate when there is no report at all', () => {
    const result = evaluateQuality(readReports([]), { gate: DEFAULT_GATE });
    expect(result.status).toBe('ERROR');
    expect(result.unreadable[0]!.problem).toBe('no report was given to gate');
  });
});

describe('LCOV variants', () => {
  it('reads CRLF line ends and DA checksums as plain records', () => {
    const plain = parseReport('coverage', 'a', 'SF:a.js\nDA:1,2\nDA:2,0\nend_of_record\n') as CoverageReport;
    const windows = parseReport(
      'coverage',
      'b',
      'SF:a.js\r\nDA:1,2,Zm9v\r\nDA:2,0\r\nend_of_record\r\n',
    ) as CoverageReport;
    expect(windows.files).toEqual(plain.files);
    expect(plain.files[0]!.lines).toEqual({ found: 2, hit: 1 });
  });
});
