import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../program.js';
import { captureIo } from '../testing/capture.js';

const config = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'testing',
  'fixtures',
  'canary-config.json',
);

function dataFile(data: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aviary-judge-')), 'data.json');
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}
async function run(...args: string[]) {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const series = (n: number, base: number, step: number) =>
  Array.from({ length: n }, (_, i) => base + ((i * 7) % 13) * step);
const baseline = series(40, 100, 1);
const slower = series(40, 140, 1.4);

describe('aviary judge', () => {
  it('prints Pass with the explanations and exits 0', async () => {
    const data = dataFile({
      request_duration: { baseline, canary: [...baseline].reverse() },
      errors: { baseline: series(40, 1, 0.1), canary: [...series(40, 1, 0.1).slice(1), 'NaN', null] },
    });
    const { code, stdout, stderr } = await run('judge', '--config', config, '--data', data);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n')[0]).toBe('Pass: score 100 (pass 90, marginal 70), NetflixACAJudge-v1.0');
    expect(stdout).toContain(
      "  request_duration: Pass\n    Pass: the canary's and the baseline's values are identical",
    );
    expect(stdout).toContain('Groups: response_time 100 (weight 60), errors 100 (weight 40)');
    expect(stdout).toContain('Score 100 = response_time 100 × 60 % + errors 100 × 40 %.');
  });

  it('fails a 40 % slower critical metric: exit 1, Kayenta’s reason', async () => {
    const data = dataFile({
      request_duration: { baseline, canary: slower },
      errors: { baseline, canary: baseline },
    });
    const { code, stdout } = await run('judge', '--config', config, '--data', data);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^Fail: score 0 /);
    expect(stdout).toContain('Canary Failed: The metric request_duration was classified as High (Critical)');
    expect(stdout).toContain('request_duration: High (critical)');
  });

  it('takes --thresholds, and prints Kayenta’s result JSON with --json', async () => {
    const data = dataFile({
      request_duration: { baseline, canary: baseline },
      errors: [{ tags: { code: '500' }, baseline, canary: slower }],
    });
    const { code, stdout } = await run(
      'judge',
      '--config',
      config,
      '--data',
      data,
      '--thresholds',
      '60,50',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      score: { score: number; classification: string };
      results: unknown[];
    };
    expect(result.score).toMatchObject({ score: 60, classification: 'Pass' });
    expect(result.results[1]).toMatchObject({
      name: 'errors',
      tags: { code: '500' },
      classification: 'High',
    });
    expect((await run('judge', '--config', config, '--data', data, '--thresholds', '90,70')).code).toBe(1);
  });

  it('exits 2 on a bad input, saying what is wrong', async () => {
    const missing = await run('judge', '--config', config, '--data', '/nope/data.json');
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'aviary judge: cannot read /nope/data.json: no such file\n',
    });
    const notJson = await run('judge', '--config', config, '--data', dataFile('{oops'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('is not JSON');
    const badValue = await run(
      'judge',
      '--config',
      config,
      '--data',
      dataFile({ errors: { baseline: ['x'], canary: [] } }),
    );
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toContain('errors.baseline.0: "x" is not a number');
    const badThresholds = await run(
      'judge',
      '--config',
      config,
      '--data',
      dataFile({}),
      '--thresholds',
      '70,90',
    );
    expect(badThresholds).toMatchObject({
      code: 2,
      stderr: 'aviary judge: --thresholds: the marginal threshold 90 is above the pass threshold 70\n',
    });
    const badConfig = await run(
      'judge',
      '--config',
      dataFile({ metrics: [{ name: 'a', analysisConfigurations: { canary: { muted: 'yes' } } }] }),
      '--data',
      dataFile({}),
    );
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain(
      'metrics.0.analysisConfigurations.canary.muted: must be true or false',
    );
  });
});

describe('aviary canary promql', () => {
  it('prints the query Kayenta would send', async () => {
    const { code, stdout } = await run(
      'canary',
      'promql',
      '--config',
      config,
      '--metric',
      'errors',
      '--scope',
      'payments-canary',
      '--location',
      'production',
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      'avg(http_errors_total{pod=~"payments-canary.*",namespace="production",code=~"5.."})\n',
    );
  });

  it('exits 2 naming the problem', async () => {
    const { code, stderr } = await run(
      'canary',
      'promql',
      '--config',
      config,
      '--metric',
      'errors',
      '--scope',
      'payments-canary',
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      'aviary canary promql: template "pod-in-namespace": the variable ${location} has no value (known: scope)\n',
    );
  });
});
