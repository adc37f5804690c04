import { spawnSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ReportKind } from '../reports/parse-report.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const SAMPLE_APP = join(REPO_ROOT, 'examples/sample-app');
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface SampleAppReports {
  /** The copy of the sample app the tools ran in (the reports name its files). */
  appDir: string;
  /** Where each report was written. */
  files: Record<ReportKind, string>;
  read(kind: ReportKind): Promise<string>;
  remove(): Promise<void>;
}

function run(command: string, args: string[], cwd: string, allowFailure = false): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFailure)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.slice(-2000)}`);
}

/**
 * Runs the sample app's own tools on a copy of it and returns their real reports: its CI test script
 * (node:test: LCOV and JUnit), c8 over the same tests (Istanbul's Cobertura XML and json-summary),
 * ESLint with the app's configuration (JSON, plus `no-eval`), jscpd (JSON). `spoiled` adds two API
 * versions (`api/v1`, `api/v2`) with lint problems, a clone between them, uncovered code and a
 * failing test. `npm audit` cannot reach the registry's audit endpoint here: its report is a fixture
 * (`fixtures/npm-audit-*.json`).
 */
export async function sampleAppReports(options: { spoiled?: boolean } = {}): Promise<SampleAppReports> {
  const modules = join(SAMPLE_APP, 'node_modules');
  if (!(await stat(join(modules, 'eslint')).catch(() => undefined)))
    throw new Error(`the sample app is not installed: run npm ci in ${SAMPLE_APP}`);
  const root = await mkdtemp(join(tmpdir(), 'aviary-sample-reports-'));
  const appDir = join(root, 'sample-app');
  const out = join(root, 'reports');
  await mkdir(out, { recursive: true });
  for (const entry of ['src', 'test', 'scripts', 'package.json', 'eslint.config.js'])
    await cp(join(SAMPLE_APP, entry), join(appDir, entry), { recursive: true });
  if (options.spoiled) await cp(join(FIXTURES, 'spoiled'), appDir, { recursive: true });
  await symlink(modules, join(appDir, 'node_modules'), 'dir');

  run(process.execPath, ['scripts/ci-tests.js'], appDir, options.spoiled);
  run(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/c8/bin/c8.js'),
      '--reporter=cobertura',
      '--reporter=json-summary',
      '--report-dir=coverage/c8',
      '--temp-directory=coverage/c8/tmp',
      '--exclude=test/**',
      '--exclude=scripts/**',
      process.execPath,
      '--test',
    ],
    appDir,
    options.spoiled,
  );
  run(
    process.execPath,
    [
      join(modules, 'eslint/bin/eslint.js'),
      '.',
      '--format',
      'json',
      '--output-file',
      join(out, 'eslint.json'),
      '--rule',
      'no-eval: error',
    ],
    appDir,
    true,
  );
  run(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/jscpd/run-jscpd.js'),
      '--silent',
      '--reporters',
      'json',
      '--output',
      join(out, 'jscpd'),
      '--format',
      'javascript',
      '.',
    ],
    appDir,
  );
  const files: Record<ReportKind, string> = {
    coverage: join(appDir, 'coverage/lcov.info'),
    coverageSummary: join(appDir, 'coverage/c8/coverage-summary.json'),
    cobertura: join(appDir, 'coverage/c8/cobertura-coverage.xml'),
    junit: join(appDir, 'reports/junit.xml'),
    lint: join(out, 'eslint.json'),
    duplication: join(out, 'jscpd/jscpd-report.json'),
    audit: join(FIXTURES, options.spoiled ? 'npm-audit-v2.json' : 'npm-audit-clean.json'),
  };
  for (const file of Object.values(files))
    if (!(await stat(file).catch(() => undefined)))
      throw new Error(`the sample app's tools did not write ${file}`);
  return {
    appDir,
    files,
    read: (kind) => readFile(files[kind], 'utf8'),
    remove: () => rm(root, { recursive: true, force: true }),
  };
}
