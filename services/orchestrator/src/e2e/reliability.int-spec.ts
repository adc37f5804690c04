import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type ExecutionDetail } from '@aviary/events';
import { eventually } from '@aviary/test-support';
import {
  Client,
  statuses,
  testEnvironment,
  uniqueApplication,
  type TestEnvironment,
} from '../testing/environment.js';
import { OrchestratorProcess, buildOrchestrator } from '../testing/orchestrator-process.js';
import { Sql } from '../testing/sql.js';
import { startStubWorkers, type SeenCommand, type StubWorkers } from '../testing/stub-workers.js';

/** Stage types the orchestrator runs itself: no worker gets a command for them. */
const ORCHESTRATOR_STAGES = ['wait', 'manual-judgment', 'check-precondition'];

/**
 * The orchestrator as real processes on real NATS and PostgreSQL: killed with SIGKILL at chosen
 * moments and restarted, and run as two replicas at once.
 */
describe('orchestrator processes', () => {
  let environment: TestEnvironment;
  let stubs: StubWorkers;
  let client: Client;
  let sql: Sql;
  const processes: OrchestratorProcess[] = [];

  beforeAll(async () => {
    buildOrchestrator();
    environment = await testEnvironment();
    stubs = await startStubWorkers(environment);
    client = new Client(stubs.busClient);
    sql = new Sql(environment.databaseUrl, environment.schema);
  }, 300_000);

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
  });

  afterAll(async () => {
    await stubs?.close();
    await sql?.close();
    await environment?.dispose();
  });

  async function orchestrator(name: string): Promise<OrchestratorProcess> {
    const started = new OrchestratorProcess(name, environment.env);
    processes.push(started);
    await started.start();
    await started.ready();
    return started;
  }

  async function restart(process: OrchestratorProcess): Promise<void> {
    await process.kill();
    await process.start();
    await process.ready();
  }

  /** Every stage command a worker received, once per attempt, and nothing left unfinished. */
  function expectOneCommandPerAttempt(execution: ExecutionDetail): void {
    const seen = stubs.stageCommands(execution.executionId);
    const byAttempt = new Map<string, SeenCommand[]>();
    for (const command of seen) {
      const key = `${command.stageId}#${command.attempt}`;
      byAttempt.set(key, [...(byAttempt.get(key) ?? []), command]);
    }
    for (const [key, commands] of byAttempt)
      expect({ key, received: commands.length }).toEqual({ key, received: 1 });
    const attempts = execution.stages
      .filter((stage) => !ORCHESTRATOR_STAGES.includes(stage.type))
      .flatMap((stage) => stage.attempts.map((a) => `${stage.stageId}#${a.attempt}`));
    expect([...byAttempt.keys()].sort()).toEqual(attempts.sort());
    for (const stage of execution.stages) expect(['SUCCEEDED', 'SKIPPED']).toContain(stage.status);
  }

  it('finishes an execution killed right after a dispatch, during a retry backoff, and while results arrive', async () => {
    const proc = await orchestrator('solo');
    const app = uniqueApplication('kill');
    stubs.files.set(
      app,
      `name: ${app}
stages:
  - { id: first, type: run, command: a }
  - { id: flaky, type: run, command: b, retries: { count: 2, backoff: 1500ms, factor: 1 } }
  - { id: fan-1, type: run, command: c, dependsOn: [flaky] }
  - { id: fan-2, type: run, command: c, dependsOn: [flaky] }
  - { id: fan-3, type: run, command: c, dependsOn: [flaky] }
  - { id: last, type: deploy, environment: homolog, image: x, dependsOn: [fan-1, fan-2, fan-3] }
`,
    );
    let killedAfterDispatch = false;
    let killedWhileResultsArrive = false;
    stubs.on(app, (command) => {
      if (command.stageId === 'first' && !killedAfterDispatch) {
        killedAfterDispatch = true;
        proc.killNow();
      }
      if (command.stageId === 'flaky' && command.attempt === 1) return { kind: 'fail', message: 'flake' };
      if (command.stageId.startsWith('fan-'))
        return { kind: 'succeed', delayMs: 100 * (Number(command.stageId.slice(4)) - 1) };
      return { kind: 'succeed' };
    });
    stubs.afterAnswer(app, (command) => {
      if (command.stageId === 'fan-1' && !killedWhileResultsArrive) {
        killedWhileResultsArrive = true;
        proc.killNow();
      }
    });

    await client.push(app);
    await eventually(() => expect(killedAfterDispatch).toBe(true), 20_000);
    await restart(proc);
    const id = await client.executionOf(app);
    await client.until(id, (e) =>
      expect(e.stages.find((s) => s.stageId === 'flaky')?.reason).toMatch(
        /^attempt 1 failed: flake; attempt 2 in/,
      ),
    );
    await restart(proc);
    await eventually(() => expect(killedWhileResultsArrive).toBe(true), 20_000);
    await restart(proc);

    const done = await client.ended(id, 30_000);
    expect(done.status).toBe('SUCCEEDED');
    expectOneCommandPerAttempt(done);
    expect(stubs.stageCommands(id).map((c) => `${c.stageId}#${c.attempt}`)).toEqual(
      expect.arrayContaining(['first#1', 'flaky#1', 'flaky#2', 'fan-1#1', 'fan-2#1', 'fan-3#1', 'last#1']),
    );
  }, 120_000);

  it('finishes every execution through repeated kills at arbitrary moments', async () => {
    const proc = await orchestrator('solo');
    const app = uniqueApplication('chaos');
    stubs.files.set(
      app,
      `name: ${app}
stages:
  - { id: a, type: run, command: a }
  - { id: b, type: run, command: b, dependsOn: [a] }
  - { id: c, type: run, command: c, dependsOn: [a] }
  - { id: d, type: run, command: d, dependsOn: [b, c] }
  - { id: e, type: wait, duration: 200ms }
  - { id: f, type: run, command: f }
`,
    );
    stubs.on(app, () => ({ kind: 'succeed', delayMs: Math.floor(Math.random() * 150) }));
    for (let i = 0; i < 6; i++) await client.push(app, `branch-${i}`);
    for (let kill = 0; kill < 4; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(Math.random() * 600)));
      await restart(proc);
    }
    const ids = await eventually(async () => {
      const { executions } = await client.list({ application: app });
      expect(executions).toHaveLength(6);
      return executions.map((e) => e.executionId);
    }, 30_000);
    for (const id of ids) {
      const done = await client.ended(id, 60_000);
      // The reason (and the history) say why, when an execution did not succeed.
      const why = done.status === 'SUCCEEDED' ? undefined : { reason: done.reason, history: done.history };
      expect({ id, status: done.status, why }).toEqual({ id, status: 'SUCCEEDED', why: undefined });
      expectOneCommandPerAttempt(done);
    }
  }, 180_000);

  it('shares the work between two replicas, and never both advance one execution', async () => {
    const [one, two] = [await orchestrator('one'), await orchestrator('two')];
    const app = uniqueApplication('pair');
    stubs.files.set(
      app,
      `name: ${app}
stages:
  - { id: a, type: run, command: a }
  - { id: b, type: run, command: b, dependsOn: [a] }
  - { id: c, type: run, command: c, dependsOn: [a] }
  - { id: d, type: build-image, repository: r, dependsOn: [b, c] }
  - { id: e, type: deploy, environment: homolog, image: x }
`,
    );
    stubs.on(app, () => ({ kind: 'succeed', delayMs: Math.floor(Math.random() * 20) }));
    const count = 40;
    await Promise.all(Array.from({ length: count }, (_, i) => client.push(app, `feature-${i}`)));
    const ended = await eventually(
      async () => {
        const { executions, total } = await client.list({ application: app, limit: 200 });
        expect(total).toBe(count);
        const running = executions.filter(
          (e) => !['SUCCEEDED', 'FAILED', 'CANCELED', 'TERMINAL'].includes(e.status),
        );
        expect(running).toEqual([]);
        return executions;
      },
      60_000,
      200,
    );
    expect(ended.map((e) => e.status)).toEqual(Array.from({ length: count }, () => 'SUCCEEDED'));
    for (const summary of ended) {
      const done = await client.get(summary.executionId);
      expect(statuses(done)).toEqual({
        a: 'SUCCEEDED',
        b: 'SUCCEEDED',
        c: 'SUCCEEDED',
        d: 'SUCCEEDED',
        e: 'SUCCEEDED',
      });
      expectOneCommandPerAttempt(done);
    }
    const replicas = await sql.query<{ replica: string }>(
      `select distinct dispatched_by as replica from $schema.stage_attempts a
       join $schema.executions e on e.id = a.execution_id where e.application = $1`,
      [app],
    );
    expect(replicas).toHaveLength(2);
    // Every step of an execution was written by one replica: versions are never shared.
    const shared = await sql.query(
      `select h.execution_id, h.version from $schema.execution_history h
       join $schema.executions e on e.id = h.execution_id where e.application = $1
       group by h.execution_id, h.version having count(distinct h.replica) > 1`,
      [app],
    );
    expect(shared).toEqual([]);
    expect(one.running && two.running).toBe(true);
  }, 120_000);
});
