import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../program.js';
import { captureIo } from '../testing/capture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const example = (name: string) => join(root, 'examples', 'pipelines', name);

function tempFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'aviary-validate-')), 'pipeline.yaml');
  writeFileSync(file, text);
  return file;
}

async function run(...args: string[]) {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('aviary validate', () => {
  it('prints the expanded preset, stage by stage, and exits 0', async () => {
    const { code, stdout, stderr } = await run('validate', example('node-service-canary.yaml'));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'pipeline payments-api (preset node-service): 14 stages',
      '  triggers: branches main, release/*, feature/**; no tags',
      '  concurrency: cancel (a new push cancels the running execution)',
      '  timeout: 3h46m',
    ]);
    expect(lines.filter((line) => /^ ?\d+\. /.test(line))).toEqual([
      ' 1. checkout (checkout) at start',
      ' 2. install (run) after checkout',
      ' 3. lint (run) after install',
      ' 4. test (run) after install',
      ' 5. quality-scan (quality-gate) after lint, test',
      ' 6. quality-gate (quality-gate) after quality-scan',
      ' 7. build (build-image) after quality-gate',
      ' 8. deploy-homolog (deploy) after build',
      ' 9. canary-deploy (canary-deploy) after deploy-homolog',
      '10. canary-analysis (canary-analysis) after canary-deploy',
      '11. check-precondition (check-precondition) after canary-analysis',
      '12. promote (promote) after check-precondition',
      '13. rollback (rollback) after check-precondition',
      '14. notify (notify) after promote, rollback',
    ]);
    expect(stdout).toContain(
      [
        '10. canary-analysis (canary-analysis) after canary-deploy',
        '    if: branch main',
        '    timeout 45m, on failure fail',
        '    config: payments-latency-and-errors',
        '    lifetime: 30m',
        '    interval: 5m',
      ].join('\n'),
    );
    expect(stdout).toContain(
      '13. rollback (rollback) after check-precondition\n    if: branch main and dependencies ended FAILED\n',
    );
    expect(stdout).toContain(
      '14. notify (notify) after promote, rollback\n    if: whatever the dependencies ended in\n',
    );
  });

  it('shows retries, multi-line commands and side-car containers', async () => {
    const { code, stdout } = await run('validate', example('explicit.yaml'));
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        '2. test (run) after checkout',
        '   timeout 20m, retries 2 (backoff 30s x2, at most 5m), on failure fail',
        '   command:',
        '     npm ci',
        '     npm test',
      ].join('\n'),
    );
    const preset = await run('validate', example('node-service.yaml'));
    expect(preset.stdout).toContain('    container: db (postgres:16, ports 5432)\n');
  });

  it('prints the resolved pipeline as JSON with --json', async () => {
    const { code, stdout } = await run('validate', '--json', example('node-service.yaml'));
    expect(code).toBe(0);
    const pipeline = JSON.parse(stdout) as { name: string; stages: { id: string; timeoutMs: number }[] };
    expect(pipeline.name).toBe('orders-api');
    expect(pipeline.stages.map((stage) => stage.id)).toContain('deploy-production');
  });

  it('prints every error as file:line:column  path  message (hint) and exits 1', async () => {
    const file = tempFile(
      'name: app\nstages:\n  - id: build\n    type: build-imge\n  - id: deploy\n    type: deploy\n    environment: homolog\n    image: ${stages.biuld.outputs.imageUrl}\n    timeout: soon\n',
    );
    const { code, stdout } = await run('validate', file);
    expect(code).toBe(1);
    expect(stdout).toBe(
      [
        `${file}:4:11  stages[0].type  unknown stage type "build-imge" (did you mean "build-image"?)`,
        `${file}:8:12  stages[1].image  \${stages.biuld.outputs.imageUrl} refers to stage "biuld", which does not exist (did you mean "build"?)`,
        `${file}:9:14  stages[1].timeout  "soon" is not a duration (write a number followed by units, largest first: 30s, 5m, 1h30m, 2d, 500ms)`,
        '',
        `3 errors in ${file}`,
        '',
      ].join('\n'),
    );
  });

  it('exits 2 when the file cannot be read', async () => {
    const { code, stdout, stderr } = await run('validate', join(tmpdir(), 'no-such-dir', 'pipeline.yaml'));
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^aviary validate: cannot read .*pipeline\.yaml: no such file\n$/);
  });

  it('explains its usage when the file is missing from the command line', async () => {
    const { code, stderr } = await run('validate');
    expect(code).toBe(1);
    expect(stderr).toContain("missing required argument 'file'");
  });
});
