import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, StandaloneProcess } from '../standalone-process.js';
import { AviaryApi, type ExecutionState } from './aviary-api.js';
import { APPLICATION, runDemo, type DemoResult } from './demo-scenario.js';

// Three pipelines for real (npm ci, lint, tests, builds, local deployments), two canaries judged
// under generated traffic: about two minutes on two busy cores.
jest.setTimeout(420_000);

/** As short as the judge allows: 10 one-second points per interval, two intervals. */
const SHORT_ANALYSIS = { lifetime: '20s', interval: '10s', delay: '3s', step: '1s' };
const SAMPLE_APP = fileURLToPath(new URL('../../../../examples/sample-app', import.meta.url));

interface Environments {
  environments: Array<{
    environment: string;
    serverGroups: Array<{ role: string; image: string; executionId?: string; health: string }>;
    lastRelease?: { state: string; executionId: string };
  }>;
}

const statusOf = (execution: ExecutionState, type: string) =>
  execution.stages.filter((s) => s.type === type).map((s) => s.status);

describe('the demo, in standalone mode', () => {
  let work: string;
  let aviary: StandaloneProcess;
  let api: AviaryApi;
  let result: DemoResult;
  const printed: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'aviary-demo-'));
    aviary = new StandaloneProcess(await freePort(), {
      ...process.env,
      AVIARY_DATA_DIR: join(work, 'data'),
    });
    await aviary.started();
    api = new AviaryApi(aviary.url, (await readFile(join(work, 'data/admin-token'), 'utf8')).trim());
  });

  afterAll(async () => {
    await aviary?.stop('SIGTERM');
    await rm(work, { recursive: true, force: true });
  });

  it('releases a good change through a canary judged PASS, and rolls back a slow, failing one judged FAIL', async () => {
    try {
      result = await runDemo({
        api,
        sampleApp: SAMPLE_APP,
        path: process.env['PATH'],
        uiUrl: aviary.url,
        out: { line: (text) => printed.push(text), status: () => undefined },
        analysis: SHORT_ANALYSIS,
        executionTimeoutMs: 180_000,
      });
    } catch (error) {
      throw new Error(`${String(error)}\n${printed.join('\n')}\n${aviary.tail()}`, { cause: error });
    }
    const [first, good, bad] = result.pushes;
    const ended = (push: (typeof result.pushes)[number] | undefined, status: string) => {
      // What the demo printed and the canary reports say why, when a push did not end as it should.
      if (push?.execution.status !== status)
        throw new Error(
          `"${push?.title}" ended ${push?.execution.status}, not ${status}\n${printed.join('\n')}\n` +
            JSON.stringify(result.pushes.map((p) => p.canary)),
        );
    };

    // 1: nothing to compare a canary with yet: straight to production.
    expect({ status: first?.execution.status, canary: first?.canary }).toEqual({
      status: 'SUCCEEDED',
      canary: undefined,
    });

    // 2: every stage for real, then the canary under traffic, PASS, promoted.
    ended(good, 'SUCCEEDED');
    const ran = good!.execution.stages.filter((s) => s.status === 'SUCCEEDED').map((s) => s.type);
    for (const type of [
      'checkout',
      'quality-gate',
      'build-image',
      'deploy',
      'canary-deploy',
      'canary-analysis',
      'promote',
    ])
      expect(ran).toContain(type);
    expect(good!.execution.stages.find((s) => s.type === 'build-image')?.outputs['imageUrl']).toMatch(
      /^artifact:\/\/sha256:[0-9a-f]{64}$/,
    );
    expect(good!.canary).toMatchObject({ verdict: 'pass' });
    expect(good!.canary!.score).toBeGreaterThanOrEqual(90);
    expect(good!.traffic?.sent).toBeGreaterThan(100);
    expect(good!.traffic?.failed).toBe(0);
    expect(statusOf(good!.execution, 'rollback')).not.toContain('SUCCEEDED');

    // 3: the slow, failing version: FAIL, rolled back.
    ended(bad, 'FAILED');
    expect(bad!.canary).toMatchObject({ verdict: 'fail' });
    expect(bad!.canary!.score).toBeLessThan(75);
    expect(bad!.traffic?.failed).toBeGreaterThan(0);
    expect(statusOf(bad!.execution, 'promote')).not.toContain('SUCCEEDED');
    expect(statusOf(bad!.execution, 'rollback')).toEqual(['SUCCEEDED']);

    // Production runs the good release again, alone, and answers.
    const response = await fetch(`${aviary.url}/api/v1/applications/${APPLICATION}/environments`, {
      headers: { authorization: `Bearer ${(await readFile(join(work, 'data/admin-token'), 'utf8')).trim()}` },
    });
    const { environments } = (await response.json()) as Environments;
    const production = environments.find((e) => e.environment === 'production');
    const goodImage = good!.execution.stages.find((s) => s.type === 'build-image')?.outputs['imageUrl'];
    expect(production?.serverGroups.map((g) => [g.role, g.image])).toEqual([['production', goodImage]]);
    const endpoint = String(
      bad!.execution.stages.find((s) => s.type === 'canary-deploy')?.outputs['endpoint'],
    );
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => (await fetch(new URL('/flags', endpoint))).status),
    );
    expect(answers.every((status) => status === 200)).toBe(true);
  });
});
