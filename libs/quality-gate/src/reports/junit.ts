import { type TestCase, type TestReport } from './model.js';
import { ReportError } from './report-error.js';
import { attribute, children, parseXml, type XmlNode } from './xml.js';

const ARRAYS = new Set(['testsuite', 'testcase', 'failure', 'error', 'skipped']);

function text(node: XmlNode | undefined): string | undefined {
  if (!node) return undefined;
  const message =
    attribute(node, 'message') ?? (typeof node['#text'] === 'string' ? node['#text'] : undefined);
  return message?.trim().split('\n')[0]?.slice(0, 500);
}

/** JUnit XML (Surefire's format as jest-junit, node:test, mocha write it): suites, nested or not, and their cases. */
export function parseJunit(file: string, content: string): TestReport {
  const doc = parseXml(file, content, ARRAYS);
  const cases: TestCase[] = [];
  const visit = (suite: XmlNode, inherited?: string) => {
    const suiteFile = attribute(suite, 'file') ?? inherited;
    for (const test of children(suite, 'testcase')) {
      const name = attribute(test, 'name');
      if (name === undefined)
        throw new ReportError(file, `a testcase in suite "${attribute(suite, 'name') ?? '?'}" has no name`);
      const failure = children(test, 'failure')[0];
      const error = children(test, 'error')[0];
      const skipped = children(test, 'skipped').length > 0;
      const caseFile = attribute(test, 'file') ?? suiteFile;
      const classname = attribute(test, 'classname');
      const message = text(failure ?? error);
      cases.push({
        name,
        ...(classname ? { classname } : {}),
        ...(caseFile ? { file: caseFile } : {}),
        outcome: failure ? 'failed' : error ? 'error' : skipped ? 'skipped' : 'passed',
        ...(message ? { message } : {}),
      });
    }
    for (const nested of children(suite, 'testsuite')) visit(nested, suiteFile);
  };
  if (doc['testsuites'] !== undefined) for (const root of children(doc, 'testsuites')) visit(root);
  else if (doc['testsuite'] !== undefined) for (const suite of children(doc, 'testsuite')) visit(suite);
  else throw new ReportError(file, 'no <testsuites> or <testsuite> root element: not a JUnit report');
  return { kind: 'tests', cases };
}
