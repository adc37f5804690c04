import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'node_modules', '.bin', 'aviary');

/** The installed `aviary` command, on the compiled CLI, as a user runs it from the repository root. */
function aviary(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the aviary command as a process', () => {
  it('is installed at the repository root and built (npm install, npm run build)', () => {
    expect(existsSync(bin)).toBe(true);
    expect(existsSync(join(root, 'libs', 'cli', 'dist', 'main.js'))).toBe(true);
  });

  it('validates an example and prints the pipeline, exit 0', () => {
    const { code, stdout, stderr } = aviary('validate', 'examples/pipelines/node-service.yaml');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^pipeline orders-api \(preset node-service\): 10 stages\n/);
    expect(stdout).toContain(' 9. deploy-production (deploy) after deploy-homolog\n    if: branch main\n');
  });

  it('prints the errors of a bad file, exit 1', () => {
    const file = 'libs/pipeline-spec/src/testing/fixtures/cycle.yaml';
    const { code, stdout } = aviary('validate', file);
    expect(code).toBe(1);
    expect(stdout).toContain(
      `${file}:7:27  stages[1].dependsOn[1]  dependsOn forms a cycle: build -> deploy -> build`,
    );
  });

  it('exits 2 on a missing file', () => {
    const { code, stderr } = aviary('validate', 'examples/pipelines/missing.yaml');
    expect(code).toBe(2);
    expect(stderr).toBe('aviary validate: cannot read examples/pipelines/missing.yaml: no such file\n');
  });

  it('judges canary data from files, exit 1 for a failing canary', () => {
    const { code, stdout } = aviary(
      'judge',
      '--config',
      'libs/cli/src/testing/fixtures/canary-config.json',
      '--data',
      'libs/cli/src/testing/fixtures/canary-data-slower.json',
    );
    expect(code).toBe(1);
    expect(stdout).toContain('Canary Failed: The metric request_duration was classified as High (Critical)');
  });
});
