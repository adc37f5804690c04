import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { githubPush } from './demo/github-push.js';
import { freePort, StandaloneProcess } from './standalone-process.js';

// PGlite compiles PostgreSQL's WASM at each start: seconds alone, much longer on a busy machine.
jest.setTimeout(240_000);

const SECRET = 'restart-test-webhook-secret';

/** A git repository whose pipeline is one quick `run` stage; `commit` adds a commit and returns it. */
async function repository(dir: string) {
  await mkdir(join(dir, '.aviary'), { recursive: true });
  const pipeline = [
    'name: restart-app',
    'stages:',
    '  - id: hello',
    '    type: run',
    "    command: 'echo hello'",
  ];
  await writeFile(join(dir, '.aviary/pipeline.yaml'), `${pipeline.join('\n')}\n`);
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: dir,
      env: { PATH: process.env['PATH'], HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
      encoding: 'utf8',
    }).trim();
  const commit = (message: string) => {
    git('add', '--all');
    const author = ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com'];
    git(...author, 'commit', '--quiet', '--no-gpg-sign', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  git('init', '--quiet', '--initial-branch=main');
  return { url: pathToFileURL(dir).href, sha: commit('first'), commit };
}

interface Execution {
  executionId: string;
  status: string;
  sha: string;
  stages: Array<{ stageId: string; status: string; outputs: Record<string, unknown> }>;
}

describe('standalone mode (npm start)', () => {
  let work: string;
  let dataDir: string;
  let port: number;
  let token: string;
  let running: StandaloneProcess | undefined;
  let executionBefore: Execution;
  let repo: Awaited<ReturnType<typeof repository>>;

  /** A signed GitHub push of `sha` on main, answered 202. */
  const push = async (sha: string, before: string) => {
    const webhook = githubPush({
      repositoryUrl: repo.url,
      fullName: 'demo/restart-app',
      branch: 'main',
      before,
      commit: { sha, message: sha },
      pusher: 'ada',
      secret: SECRET,
    });
    const response = await fetch(`http://127.0.0.1:${port}/webhooks/github`, {
      method: 'POST',
      headers: webhook.headers,
      body: webhook.body,
    });
    expect(response.status).toBe(202);
  };

  /** The execution of `sha` once it ended. */
  const ended = async (sha: string): Promise<Execution> => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const list = await api<{ executions: Execution[] }>('/api/v1/executions?application=restart-app');
      const found = list.body.executions?.find((e) => e.sha === sha);
      if (found && !['NOT_STARTED', 'RUNNING'].includes(found.status))
        return (await api<Execution>(`/api/v1/executions/${found.executionId}`)).body;
      if (Date.now() > deadline) throw new Error(`the execution of ${sha} did not end:\n${running?.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  };

  const api = async <T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
    const text = await response.text();
    return { status: response.status, body: (text && text.startsWith('{') ? JSON.parse(text) : text) as T };
  };

  const start = async () => {
    running = new StandaloneProcess(port, {
      ...process.env,
      AVIARY_DATA_DIR: dataDir,
    });
    const banner = await running.started();
    return { process: running, banner };
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'aviary-standalone-'));
    dataDir = join(work, 'data');
    port = await freePort();
  });

  afterAll(async () => {
    await running?.stop('SIGKILL');
    await rm(work, { recursive: true, force: true });
  });

  it('starts on PORT, prints where the UI is and the admin token it made, and serves everything on that port', async () => {
    const { banner } = await start();
    token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
    expect(token).toMatch(/^avt_/);
    expect(banner).toContain(`UI and API    http://localhost:${port}`);
    expect(banner).toContain(token);
    expect((await stat(join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
    // A first start says nothing alarming: no service tried its database before it was ready.
    expect(
      `${running!.stdout}\n${running!.stderr}`
        .split('\n')
        .filter((line) => /"level":"(warn|error)"/.test(line)),
    ).toEqual([]);

    const health = await api<{ status: string }>('/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok' } });
    const services = await api<{ ready: boolean; services: Record<string, { ready: boolean }> }>('/services');
    expect(services.status).toBe(200);
    expect(Object.keys(services.body.services).sort()).toEqual(
      ['builder', 'canary', 'deployer', 'gateway', 'notifier', 'orchestrator', 'quality'].sort(),
    );
    expect((await api('/services/orchestrator/health')).status).toBe(200);
    const ui = await api<string>('/');
    expect(ui.status).toBe(200);
    expect(ui.body.toLowerCase()).toContain('<!doctype html>');
    expect((await api('/docs/json')).status).toBe(200);
    expect((await api('/api/v1/applications')).status).toBe(200);
    expect(
      (await api('/api/v1/applications', { headers: { authorization: 'Bearer avt_wrong' } })).status,
    ).toBe(401);

    // An execution, from a signed push webhook on the same port.
    repo = await repository(join(work, 'repo'));
    const created = await api('/api/v1/applications', {
      method: 'POST',
      body: JSON.stringify({
        name: 'restart-app',
        provider: 'github',
        repositoryUrl: repo.url,
        defaultBranch: 'main',
        webhookSecret: SECRET,
      }),
    });
    expect(created.status).toBe(201);
    await push(repo.sha, '0'.repeat(40));
    executionBefore = await ended(repo.sha);
    expect(executionBefore).toMatchObject({
      status: 'SUCCEEDED',
      stages: [{ stageId: 'hello', status: 'SUCCEEDED' }],
    });
  });

  it('stops cleanly on SIGTERM', async () => {
    const first = running!;
    const exit = await first.stop('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.stdout).toContain('stopping: finishing in-flight work');
    expect(first.stderr).toBe('');
    // The port is free again (nothing left listening in a stray process).
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it('keeps every execution across a restart on the same data directory, and does not print the token again', async () => {
    const { banner } = await start();
    expect(banner).not.toContain(token);
    expect(banner).toContain(`Admin token   in ${dataDir}/admin-token`);
    expect((await readFile(join(dataDir, 'admin-token'), 'utf8')).trim()).toBe(token);

    const after = await api<Execution>(`/api/v1/executions/${executionBefore.executionId}`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(executionBefore);
    const list = await api<{ executions: Execution[] }>('/api/v1/executions?application=restart-app');
    expect(list.body.executions.map((e) => e.executionId)).toContain(executionBefore.executionId);
    // The API still works for new work: the same commit again, by hand this time.
    const again = await api<{ executionId: string }>('/api/v1/executions', {
      method: 'POST',
      body: JSON.stringify({ application: 'restart-app', branch: 'main', sha: executionBefore.sha }),
    });
    expect(again.status).toBe(202);
    const deadline = Date.now() + 120_000;
    for (;;) {
      const state = await api<Execution>(`/api/v1/executions/${again.body.executionId}`);
      if (state.status === 200 && state.body.status === 'SUCCEEDED') break;
      if (Date.now() > deadline) throw new Error(`the second execution did not succeed:\n${running!.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });

  it('loses no accepted push when the process is killed at once (kill -9): the restart runs it', async () => {
    const sha = repo.commit('second');
    await push(sha, repo.sha);
    await running!.stop('SIGKILL');
    await start();
    expect(await ended(sha)).toMatchObject({
      status: 'SUCCEEDED',
      stages: [{ stageId: 'hello', status: 'SUCCEEDED' }],
    });
    expect((await running!.stop('SIGTERM')).code).toBe(0);
  });
});
