import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@aviary/test-support';
import { type StepResult, type StepSpec, type StopReason } from './executor.js';
import { LocalExecutor } from './local-executor.js';

const hostEnv = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);

/** Alive and not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function pidsIn(file: string): number[] {
  return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean).map(Number);
}

describe('local executor (real processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aviary-steps-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const executor = new LocalExecutor({ hostEnv, killGraceMs: 1000, sideCarStartTimeoutMs: 10_000 });

  function step(command: string, overrides: Partial<StepSpec> = {}) {
    const output: string[] = [];
    const notes: string[] = [];
    const controller = new AbortController();
    const spec: StepSpec = {
      name: 'step',
      attempt: { executionId: 'e1', stageId: 'step', attempt: 1 },
      command,
      cwd: dir,
      workspace: dir,
      env: {},
      sideCars: [],
      signal: controller.signal,
      output: (stream, chunk) => output.push(`${stream}:${chunk.toString()}`),
      note: (text) => notes.push(text),
      ...overrides,
    };
    return {
      spec,
      output,
      notes,
      stop: (reason: StopReason) => controller.abort(reason),
      run: (): Promise<StepResult> => executor.run(spec),
    };
  }

  it('runs the command in the workspace with the given environment and reports its exit code', async () => {
    const s = step('echo "$GREETING from $(pwd)"; echo oops >&2; exit 3', { env: { GREETING: 'hello' } });
    expect(await s.run()).toEqual({ exitCode: 3 });
    expect(s.output).toContain(`stdout:hello from ${dir}\n`);
    expect(s.output).toContain('stderr:oops\n');
  });

  it('on cancel kills the whole process group: no grandchild outlives the step', async () => {
    const pids = join(dir, 'cancel.pids');
    const s = step(
      `sleep 300 & echo $! >> ${pids}; sh -c 'sleep 300 & echo $! >> ${pids}; wait' & echo $! >> ${pids}; echo ready; wait`,
    );
    const running = s.run();
    await eventually(() => expect(existsSync(pids) && pidsIn(pids).length === 3).toBe(true));
    const spawned = pidsIn(pids);
    expect(spawned.every(alive)).toBe(true);
    s.stop({ kind: 'cancelled', reason: 'by alice' });
    const result = await running;
    expect(result.stopped).toEqual({ kind: 'cancelled', reason: 'by alice' });
    expect(result.exitCode).toBeNull();
    expect(s.notes.join('\n')).toContain("cancelled (by alice): stopping the step's processes");
    await eventually(() => expect(spawned.filter(alive)).toEqual([]));
  });

  it('on timeout kills a process that ignores SIGTERM, after the grace period', async () => {
    const pids = join(dir, 'timeout.pids');
    const s = step(`sh -c 'trap "" TERM; echo $$ >> ${pids}; while true; do sleep 1; done' & wait`);
    const running = s.run();
    await eventually(() => expect(existsSync(pids)).toBe(true));
    s.stop({ kind: 'timeout', afterMs: 50 });
    const result = await running;
    expect(result.stopped).toEqual({ kind: 'timeout', afterMs: 50 });
    expect(s.notes.join('\n')).toContain('timed out after 50 ms');
    await eventually(() => expect(pidsIn(pids).filter(alive)).toEqual([]));
  });

  it('stops what a successful step left running in the background', async () => {
    const pids = join(dir, 'background.pids');
    expect(await step(`sleep 300 & echo $! > ${pids}; exit 0`).run()).toEqual({ exitCode: 0 });
    await eventually(() => expect(pidsIn(pids).filter(alive)).toEqual([]));
  });

  it('starts side-cars on free ports, points the step at them, and stops them after the step', async () => {
    const pids = join(dir, 'sidecar.pids');
    const server = `echo $$ > ${pids}; exec node -e "require('http').createServer((q, r) => r.end('db says hi to ' + q.url)).listen(+process.env.PORT, '127.0.0.1')"`;
    const s = step(
      'node -e "fetch(process.env.DATABASE_URL).then((r) => r.text()).then(console.log)"; echo "$DB_HOST"',
      {
        env: { DATABASE_URL: 'http://db:5432/test' },
        sideCars: [{ name: 'db', image: 'postgres:16', env: {}, ports: [5432], command: server }],
      },
    );
    expect(await s.run()).toEqual({ exitCode: 0 });
    expect(s.output.join('')).toContain('db says hi to /test');
    expect(s.output.join('')).toContain('127.0.0.1');
    expect(s.notes.join('\n')).toMatch(/side-car db is up \(5432 -> 127\.0\.0\.1:\d+\)/);
    await eventually(() => expect(pidsIn(pids).filter(alive)).toEqual([]));
  });

  it('fails clearly when a side-car exits before it listens, or has no command', async () => {
    const crashing = step('true', {
      sideCars: [
        { name: 'db', image: 'x', env: {}, ports: [5432], command: 'echo cannot start >&2; exit 1' },
      ],
    });
    await expect(crashing.run()).rejects.toThrow(
      /side-car db exited before it listened on port \d+; its last output:\ncannot start/,
    );
    const imageOnly = step('true', {
      sideCars: [{ name: 'redis', image: 'redis:7', env: {}, ports: [6379] }],
    });
    await expect(imageOnly.run()).rejects.toThrow(/side-car redis has no command/);
  });
});
