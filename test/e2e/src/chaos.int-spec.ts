import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, Platform, seededRandom, streamMessageCount } from '@aviary/test-support';
import { randomBytes } from 'node:crypto';
import { ChaosMonkey } from './support-chaos/chaos-monkey.js';
import { EventSubscriber } from './support-chaos/event-subscriber.js';
import { GatewayClient, isEnded, type ExecutionSummary } from './support-chaos/gateway-client.js';
import { journalOf } from './support-chaos/journal.js';
import { journalingCommand, PipelineRepository } from './support-chaos/pipeline-repository.js';

const PIPELINES = 20;
const STAGES = ['a', 'b', 'c', 'd', 'e'];
/** Kills go on this long at most (then every pipeline must still end), one every 0.5 to 2 s once the last victim is back. */
const CHAOS_MS = 60_000;
/** a -> (b, c) -> d -> e: a fork, a join, and a chain long enough to be hit by several kills. */
const DEPENDS: Record<string, string> = { a: '', b: 'a', c: 'a', d: 'b, c', e: 'd' };
const SEED = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

/**
 * Chaos: 20 pipelines pushed (GitHub webhooks) while a random service process, any of the seven, is
 * killed with SIGKILL and started again every few seconds. Every pipeline ends SUCCEEDED, no stage
 * attempt runs twice (each stage's command journals its runs), and what the database says matches
 * the events a user following the gateway's event stream saw.
 */
describe(`chaos: services killed at random (seed ${SEED}, CHAOS_SEED=${SEED} to replay)`, () => {
  let platform: Platform;
  const repository = new PipelineRepository('chaos');
  const application = `chaos-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    console.log(`chaos seed ${SEED} (CHAOS_SEED=${SEED} replays this run's kills)`);
    platform = await Platform.start({
      env: {
        // What a killed process held comes back within seconds rather than the production half-minute.
        AVIARY_ACK_WAIT_MS: '3000',
        AVIARY_OUTBOX_CLAIM_TTL_MS: '3000',
      },
      serviceEnv: {
        builder: { BUILDER_WORK_DIR: `${repository.journal}/../builder`, BUILDER_HEARTBEAT_MS: '500' },
        orchestrator: {
          ORCHESTRATOR_TIMER_LEASE_MS: '3000',
          ORCHESTRATOR_FILE_QUERY_TIMEOUT_MS: '3000',
          ORCHESTRATOR_RESOLVE_RETRY_MS: '1000',
          ORCHESTRATOR_RESOLVE_ATTEMPTS: '20',
        },
      },
      readyTimeoutMs: 120_000,
    });
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    repository.remove();
  });

  it('ends every pipeline, runs no stage attempt twice, and its database matches its events', async () => {
    const random = seededRandom(SEED);
    const client = new GatewayClient(platform.adminToken, 5_000);
    const gateway = () => platform.gatewayUrl;
    const secret = await client.createApplication(gateway(), {
      name: application,
      provider: 'github',
      repositoryUrl: repository.url,
    });
    const pipeline = (branch: string) => `name: ${application}-${branch}
stages:
${STAGES.map(
  (id) =>
    `  - id: ${id}
    type: run
    command: '${journalingCommand(repository.journal, 6)}'
    timeout: 45s
    dependsOn: [${DEPENDS[id]}]`,
).join('\n')}
`;
    repository.commit('main', pipeline('main'), 'first');
    const branches = Array.from({ length: PIPELINES }, (_, i) => `chaos-${i}`);
    const shas = new Map(branches.map((branch) => [branch, repository.commit(branch, pipeline(branch))]));

    const subscriber = new EventSubscriber(gateway, platform.adminToken, application);
    const started = Date.now();
    const monkey = new ChaosMonkey(platform, random, {
      minMs: 2_000,
      maxMs: 5_000,
      untilMs: CHAOS_MS,
      started,
    });
    const report = () =>
      `seed ${SEED} (CHAOS_SEED=${SEED} to replay); kills: ${JSON.stringify(monkey.kills)}\n${platform.logs(1_500)}`;
    try {
      // The pushes arrive over the first seconds of the chaos; a provider redelivers (same delivery
      // id) until the gateway accepts, as GitHub does when it gets no answer.
      await Promise.all(
        branches.map(async (branch, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * 200));
          const push = { secret, repo: repository.url, branch, sha: shas.get(branch)! };
          let delivery: string | undefined;
          for (;;) {
            const answer = await client
              .githubPush(gateway(), { ...push, ...(delivery ? { delivery } : {}) })
              .catch((error: unknown) => ({ status: 0, delivery: delivery ?? '', error }));
            delivery ||= answer.delivery;
            if (answer.status === 202 || answer.status === 200) return;
            if (Date.now() - started > CHAOS_MS) throw new Error(`the push of ${branch} was never accepted`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        }),
      );

      const ended = await eventually(
        async () => {
          const executions = await client.executions(gateway(), application);
          expect(executions.filter((e) => !isEnded(e.status))).toEqual([]);
          expect(executions).toHaveLength(PIPELINES);
          return executions;
        },
        CHAOS_MS + 90_000,
        1_000,
      );
      await monkey.stop();
      console.log(
        `chaos seed ${SEED}: ${monkey.kills.length} kills (${monkey.kills.map((k) => k.process).join(', ')}), ` +
          `every pipeline ended after ${Math.round((Date.now() - started) / 1000)} s`,
      );
      await expectEverythingOnce(ended, subscriber);
    } catch (error) {
      await monkey.stop();
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${report()}`, {
        cause: error,
      });
    } finally {
      await subscriber.stop();
    }
  }, 330_000);

  async function expectEverythingOnce(ended: ExecutionSummary[], subscriber: EventSubscriber): Promise<void> {
    // One execution per push, each SUCCEEDED (else why, stage by stage).
    const why = await Promise.all(
      ended
        .filter((e) => e.status !== 'SUCCEEDED')
        .map(async (e) => {
          const detail = await new GatewayClient(platform.adminToken).execution(
            platform.gatewayUrl,
            e.executionId,
          );
          return {
            execution: e.executionId,
            reason: detail.reason,
            stages: detail.stages.map((s) => `${s.stageId} ${s.status} ${s.reason ?? ''}`),
          };
        }),
    );
    expect(why).toEqual([]);
    expect(ended.map((e) => [e.branch, e.status]).sort()).toEqual(
      Array.from({ length: PIPELINES }, (_, i) => [`chaos-${i}`, 'SUCCEEDED']).sort(),
    );
    const ids = ended.map((e) => e.executionId);

    // No attempt ran twice: each stage's journal has one line per attempt that ran, at most, and the
    // attempt that succeeded ran exactly once; every run the journal shows is an attempt the
    // orchestrator recorded...
    const attempts = await platform.query<{
      execution_id: string;
      stage_id: string;
      attempt: number;
      status: string;
      error: string | null;
    }>(
      `select execution_id, stage_id, attempt, status, error from {schema:orchestrator}.stage_attempts where execution_id = any($1)`,
      [ids],
    );
    const stages = await platform.query<{
      execution_id: string;
      stage_id: string;
      attempt: number;
      status: string;
    }>(
      `select execution_id, stage_id, attempt, status from {schema:orchestrator}.stages where execution_id = any($1)`,
      [ids],
    );
    expect(stages).toHaveLength(PIPELINES * STAGES.length);
    for (const stage of stages) {
      const key = `${stage.execution_id}/${stage.stage_id}`;
      const recorded = attempts
        .filter((a) => a.execution_id === stage.execution_id && a.stage_id === stage.stage_id)
        .map((a) => a.attempt)
        .sort((a, b) => a - b);
      const journal = journalOf(repository.journal, stage.execution_id);
      const ran = journal[stage.stage_id] ?? [];
      // ... and never two attempts at once (a killed builder's step dies with it).
      const overlapped = journal[`${stage.stage_id} overlapped`] ?? [];
      expect({ key, status: stage.status, ranOnce: new Set(ran).size === ran.length, overlapped }).toEqual({
        key,
        status: 'SUCCEEDED',
        ranOnce: true,
        overlapped: [],
      });
      expect({ key, ranTheSucceededAttempt: ran.includes(stage.attempt) }).toEqual({
        key,
        ranTheSucceededAttempt: true,
      });
      expect({ key, unrecorded: ran.filter((attempt) => !recorded.includes(attempt)) }).toEqual({
        key,
        unrecorded: [],
      });
    }

    // An attempt fails only because its builder was killed mid-step (the orchestrator then runs it
    // again, though the stages have no retries): none timed out on a command or result that got lost.
    expect(
      attempts
        .filter((a) => a.status !== 'SUCCEEDED' && !/stopped without handing it back/.test(a.error ?? ''))
        .map((a) => `${a.execution_id}/${a.stage_id}#${a.attempt} ${a.status}: ${a.error ?? ''}`),
    ).toEqual([]);

    // The database matches the events a user saw on the gateway's stream (resumed across the
    // gateway's restarts): no event twice, one completion per execution and none else, and per stage
    // as many starts as recorded attempts and one success, of the attempt the database has.
    const events = await eventually(
      () => {
        const completed = subscriber.events.filter((e) => e.name === 'execution.completed');
        expect(completed.length).toBeGreaterThanOrEqual(PIPELINES);
        return subscriber.events;
      },
      30_000,
      200,
    );
    const byId = new Map<string, number>();
    for (const event of events) byId.set(event.id, (byId.get(event.id) ?? 0) + 1);
    expect([...byId.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const endings = events.filter((e) =>
      ['execution.completed', 'execution.failed', 'execution.cancelled'].includes(e.name),
    );
    expect(endings.map((e) => `${String(e.data['executionId'])} ${e.name}`).sort()).toEqual(
      ids.map((id) => `${id} execution.completed`).sort(),
    );
    const changes = events.filter((e) => e.name === 'execution.stage-changed');
    for (const stage of stages) {
      const key = `${stage.execution_id}/${stage.stage_id}`;
      const mine = changes.filter(
        (e) => e.data['executionId'] === stage.execution_id && e.data['stageId'] === stage.stage_id,
      );
      // A failed attempt says RUNNING -> RUNNING as it fails (the retry is due), and again as the
      // next attempt starts: the attempts that ran are the distinct ones.
      const starts = [
        ...new Set(mine.filter((e) => e.data['to'] === 'RUNNING').map((e) => Number(e.data['attempt']))),
      ].sort((a, b) => a - b);
      const successes = mine.filter((e) => e.data['to'] === 'SUCCEEDED').map((e) => e.data['attempt']);
      const recorded = attempts
        .filter((a) => a.execution_id === stage.execution_id && a.stage_id === stage.stage_id)
        .map((a) => a.attempt)
        .sort((a, b) => a - b);
      expect({ key, starts, successes }).toEqual({ key, starts: recorded, successes: [stage.attempt] });
    }
    // What the bus holds agrees: every envelope id once, one ending per execution, and at most one
    // result from the builder per attempt (an attempt the builder ended twice would show here).
    const onTheBus = await platform.events();
    const busIds = new Map<string, number>();
    for (const event of onTheBus) busIds.set(event.id, (busIds.get(event.id) ?? 0) + 1);
    expect([...busIds.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(
      onTheBus
        .filter((e) => /\.evt\.execution\.(completed|failed|cancelled)\.v1$/.test(e.subject))
        .map((e) => `${String(e.data['executionId'])} ${e.subject.split('.').at(-2)}`)
        .sort(),
    ).toEqual(ids.map((id) => `${id} completed`).sort());
    const results = new Map<string, number>();
    for (const event of onTheBus.filter((e) =>
      /\.evt\.stage\.builder\.(completed|failed)\.v1$/.test(e.subject),
    )) {
      const key = `${String(event.data['executionId'])}/${String(event.data['stageId'])}#${String(event.data['attempt'])}`;
      results.set(key, (results.get(key) ?? 0) + 1);
    }
    expect([...results.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(
      attempts
        .filter((a) => !results.has(`${a.execution_id}/${a.stage_id}#${a.attempt}`))
        .map((a) => `${a.execution_id}/${a.stage_id}#${a.attempt} ${a.status}: ${a.error ?? ''}`),
    ).toEqual([]);

    // Nothing was given up on: no message went to the dead-letter stream.
    expect(await streamMessageCount(platform.natsUrl, `${platform.names.streamPrefix}_DLQ`)).toBe(0);

    console.log(
      `chaos: ${events.length} events seen through ${subscriber.reconnections} reconnections; ` +
        `${attempts.length} attempts for ${stages.length} stages`,
    );
  }
});
