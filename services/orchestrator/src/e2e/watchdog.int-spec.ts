import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startService, type RunningService } from '@aviary/runtime';
import { eventually } from '@aviary/test-support';
import { orchestratorService } from '../service.js';
import { Client, testEnvironment, uniqueApplication, type TestEnvironment } from '../testing/environment.js';
import { Sql } from '../testing/sql.js';
import { startStubWorkers, type StubWorkers } from '../testing/stub-workers.js';

/**
 * What keeps an execution from staying RUNNING forever when the usual machinery fails: the deployer
 * is absent (its commands wait in the queue), and the test deletes what a crash or a bug could lose.
 */
describe('the watchdog', () => {
  let environment: TestEnvironment;
  let stubs: StubWorkers;
  let orchestrator: RunningService;
  let client: Client;
  let sql: Sql;

  beforeAll(async () => {
    environment = await testEnvironment();
    stubs = await startStubWorkers(environment, { absent: ['deployer'] });
    orchestrator = await startService(orchestratorService, { env: environment.env });
    await eventually(
      async () => expect((await fetch(`${orchestrator.url}/health`)).status).toBe(200),
      30_000,
      50,
    );
    client = new Client(stubs.busClient);
    sql = new Sql(environment.databaseUrl, environment.schema);
  }, 60_000);

  afterAll(async () => {
    await orchestrator?.close();
    await stubs?.close();
    await sql?.close();
    await environment?.dispose();
  });

  function application(yaml: (name: string) => string): string {
    const name = uniqueApplication('watchdog');
    stubs.files.set(name, yaml(name));
    return name;
  }

  it('ends TERMINAL, saying what was overdue, an execution whose timeout was lost and whose worker is gone', async () => {
    const app = application(
      (name) =>
        `name: ${name}\nstages:\n  - { id: deploy, type: deploy, environment: homolog, image: x, timeout: 1s }\n`,
    );
    await client.push(app);
    const id = await client.executionOf(app);
    await client.until(id, (e) => expect(e.stages[0]?.status).toBe('RUNNING'));
    await sql.query(`delete from $schema.timers where execution_id = $1`, [id]);
    const done = await client.ended(id, 15_000);
    expect(done.status).toBe('TERMINAL');
    expect(done.reason).toMatch(
      /^stopped by the watchdog: no progress: deploy \(attempt 1\) RUNNING waiting for worker since .*, due by /,
    );
    expect(done.stages[0]).toMatchObject({ status: 'TERMINAL', attempts: [{ status: 'CANCELED' }] });
    const cancels = await sql.query<{ n: string }>(
      `select count(*) as n from $schema.outbox where subject = 'aviary.cmd.deployer.cancel.v1' and envelope->'data'->>'executionId' = $1`,
      [id],
    );
    expect(cancels[0]?.n).toBe('1');
  }, 30_000);

  it('ends TERMINAL an execution that outlives its pipeline timeout', async () => {
    const app = application(
      (name) =>
        `name: ${name}\ntimeout: 1s\nstages:\n  - { id: deploy, type: deploy, environment: homolog, image: x, timeout: 10m }\n`,
    );
    await client.push(app);
    const done = await client.ended(await client.executionOf(app), 15_000);
    expect(done).toMatchObject({ status: 'TERMINAL', reason: 'the pipeline timed out after 1s' });
  }, 30_000);

  it('starts the head of a queue whose hand-over was lost', async () => {
    const app = application(
      (name) => `name: ${name}\nstages:\n  - { id: build, type: build-image, repository: r }\n`,
    );
    let hung = false;
    stubs.on(app, () => {
      if (hung) return { kind: 'succeed' };
      hung = true;
      return { kind: 'hang' };
    });
    await client.push(app);
    const first = await client.executionOf(app);
    await client.until(first, (e) => expect(e.stages[0]?.status).toBe('RUNNING'));
    await client.push(app);
    const second = await client.executionOf(app, 1);
    await client.until(second, (e) => expect(e.reason).toMatch(/^queued behind/));
    // The first execution ends without handing over (as if its hand-over timer had been lost).
    await sql.query(`update $schema.executions set status = 'FAILED' where id = $1`, [first]);
    const done = await client.ended(second, 15_000);
    expect(done.status).toBe('SUCCEEDED');
  }, 30_000);
});
