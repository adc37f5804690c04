import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sampleAppReports, type SampleAppReports } from '@aviary/quality-gate/testing';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../program.js';
import { captureIo } from '../testing/capture.js';

async function run(...args: string[]) {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: cwd,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'd',
      GIT_AUTHOR_EMAIL: 'd@x',
      GIT_COMMITTER_NAME: 'd',
      GIT_COMMITTER_EMAIL: 'd@x',
    },
  });

/** `aviary quality` on the sample app's real reports (its tests, c8, ESLint and jscpd run on a copy). */
describe('aviary quality', () => {
  let clean: SampleAppReports;
  let spoiled: SampleAppReports;
  const all = (r: SampleAppReports) => [
    '--coverage',
    r.files.coverage,
    '--coverage-summary',
    r.files.coverageSummary,
    '--cobertura',
    r.files.cobertura,
    '--eslint',
    r.files.lint,
    '--jscpd',
    r.files.duplication,
    '--audit',
    r.files.audit,
    '--junit',
    r.files.junit,
  ];

  beforeAll(async () => {
    [clean, spoiled] = await Promise.all([sampleAppReports(), sampleAppReports({ spoiled: true })]);
  }, 90_000);
  afterAll(() => Promise.all([clean?.remove(), spoiled?.remove()]));

  it('passes the sample app on the built-in gate: exit 0, every condition listed', async () => {
    const { code, stdout, stderr } = await run('quality', ...all(clean));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]).toBe('Quality gate "default": OK');
    expect(stdout).toMatch(
      / {3}Coverage \(lines and branches\) 9\d(\.\d)?% \(error < 92%, warning < 95%\): OK/,
    );
    expect(stdout).toContain('   Bugs 0 (error > 0): OK');
    expect(stdout).toContain('   Maintainability rating A (error > A): OK');
    expect(stdout).toContain(
      'New code: not evaluated (give --new-code <git ref> to measure the lines changed since it)',
    );
  });

  it('fails the spoiled app with a gate file and sub-projects: exit 1, the failing folders and conditions', async () => {
    const gate = join(spoiled.appDir, 'gate.yaml');
    writeFileSync(
      gate,
      'name: team\nextends: default\nsubProjects: ["api/v*"]\nrules:\n  eqeqeq: { type: bug, severity: critical }\n',
    );
    const { code, stdout } = await run('quality', ...all(spoiled), '--gate', gate);
    expect(code).toBe(1);
    expect(stdout.split('\n')[0]).toBe('Quality gate "team": ERROR (failing: (project), api/v1, api/v2)');
    expect(stdout).toContain('api/v1: ERROR\n');
    expect(stdout).toContain(' ✗ Bugs 2 (error > 0): ERROR');
    expect(stdout).toContain(' ✗ Reliability rating D (error > A): ERROR');
    expect(stdout).toContain('api/v2: ERROR\n');
    expect(stdout).toContain(' ✗ Duplicated blocks 1 (error > 0): ERROR');
  });

  it('measures new code since a git ref, and prints the whole result as JSON', async () => {
    const dir = spoiled.appDir;
    git(dir, 'init', '--quiet', '-b', 'main');
    git(dir, 'add', 'src', 'test/app.test.js');
    git(dir, 'commit', '--quiet', '-m', 'before the API');
    git(dir, 'add', 'api');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const { code, stdout } = await run(
        'quality',
        '--coverage',
        spoiled.files.coverage,
        '--new-code',
        'HEAD',
        '--json',
      );
      expect(code).toBe(1); // the spoiled app's coverage is under the default gate's 92 %
      const result = JSON.parse(stdout) as {
        newCode: { available: boolean; files: number };
        project: { measures: Record<string, number> };
      };
      expect(result.newCode).toMatchObject({ available: true, files: 3 });
      expect(result.project.measures['new_lines_to_cover']).toBeGreaterThan(20);
      expect(result.project.measures['new_coverage']).toBeLessThan(80);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a malformed report fails the gate (exit 1, report unreadable); a missing file, a bad gate or no report is exit 2', async () => {
    const broken = join(clean.appDir, 'broken.info');
    writeFileSync(broken, 'SF:src/a.js\nDA:1,x\n');
    const malformed = await run('quality', '--coverage', broken);
    expect(malformed.code).toBe(1);
    expect(malformed.stdout).toContain(
      `report unreadable: ${broken}: line 2: hit count "x" is not a whole number`,
    );

    const missing = await run('quality', '--coverage', join(clean.appDir, 'nope.info'));
    expect(missing).toEqual({
      code: 2,
      stdout: '',
      stderr: `aviary quality: cannot read ${join(clean.appDir, 'nope.info')}: no such file\n`,
    });
    const badGate = join(clean.appDir, 'bad-gate.yaml');
    writeFileSync(badGate, 'conditions:\n  - { metric: covrage, op: lt, error: 90 }\n');
    const bad = await run('quality', '--coverage', clean.files.coverage, '--gate', badGate);
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: `aviary quality: ${badGate}: conditions.0.metric: unknown metric "covrage"\n`,
    });
    expect((await run('quality')).code).toBe(2);
  });
});
