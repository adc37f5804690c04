import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, Platform, PLATFORM_SERVICES, type PlatformService } from '@aviary/test-support';
import { randomBytes } from 'node:crypto';
import { GatewayClient, isEnded, type ExecutionSummary } from './support-chaos/gateway-client.js';
import { journalOf, pidIn } from './support-chaos/journal.js';
import { EventSubscriber } from './support-chaos/event-subscriber.js';
import { counterValue, metricsOf } from './support-chaos/observations.js';
import { journalingCommand, PipelineRepository } from './support-chaos/pipeline-repository.js';

const PIPELINES = 10;
const STAGES = ['a', 'b', 'c', 'd'];

/**
 * Horizontal scaling: two replicas of every service on one NATS and one PostgreSQL. Ten pushes,
 * sent to either gateway (and each delivered twice, once to each), run ten pipelines of quick `run`
 * stages; the replicas of each service share the work and nothing is done twice.
 */
describe('two replicas of every service', () => {
  let platform: Platform;
  const repository = new PipelineRepository('scaling');
  const client = () => new GatewayClient(platform.adminToken);
  const application = `scale-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    platform = await Platform.start({
      replicas: Object.fromEntries(PLATFORM_SERVICES.map((service) => [service, 2])),
      env: {
        // A replica's lost work goes to the other within seconds, not the production half-minute.
        AVIARY_ACK_WAIT_MS: '5000',
        AVIARY_OUTBOX_CLAIM_TTL_MS: '5000',
      },
      serviceEnv: { builder: { BUILDER_WORK_DIR: `${repository.journal}/../builder` } },
      readyTimeoutMs: 150_000,
    });
  }, 400_000);

  afterAll(async () => {
    await platform?.stop();
    repository.remove();
  });

  function failureReport(): string {
    return `\n${platform.logs(2_000)}`;
  }

  it('shares every kind of work between the replicas, and does none of it twice', async () => {
    const gateways = platform.replicasOf('gateway').map((p) => p.url);
    const secret = await client().createApplication(gateways[0]!, {
      name: application,
      provider: 'generic',
      repositoryUrl: repository.url,
    });
    // a -> (b, c) -> d: a fork and a join, each stage a command that journals its run.
    const pipeline = (branch: string) => `name: ${application}-${branch}
stages:
${STAGES.map(
  (id) =>
    `  - id: ${id}
    type: run
    command: '${journalingCommand(repository.journal)}'
    dependsOn: [${id === 'a' ? '' : id === 'd' ? 'b, c' : 'a'}]`,
).join('\n')}
`;
    repository.commit('main', pipeline('main'), 'first');
    const branches = Array.from({ length: PIPELINES }, (_, i) => `feature-${i}`);
    const shas = new Map(branches.map((branch) => [branch, repository.commit(branch, pipeline(branch))]));

    const deliveries = await Promise.all(
      branches.map(async (branch, i) => {
        const push = { application, secret, repo: repository.url, branch, sha: shas.get(branch)! };
        const first = await client().genericPush(gateways[i % 2]!, push);
        // The provider retries the delivery on the other replica: it is a duplicate there.
        const again = await client().genericPush(gateways[(i + 1) % 2]!, {
          ...push,
          delivery: first.delivery,
        });
        return { branch, first: first.status, again: again.status, delivery: first.delivery };
      }),
    );
    expect(deliveries.map((d) => [d.first, d.again])).toEqual(branches.map(() => [202, 200]));

    const ended = await eventually(
      async () => {
        const executions = await client().executions(gateways[0]!, application);
        expect(executions.filter((e) => !isEnded(e.status))).toEqual([]);
        expect(executions).toHaveLength(PIPELINES);
        return executions;
      },
      180_000,
      500,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}${failureReport()}`);
    });
    const byBranch = new Map<string, ExecutionSummary[]>();
    for (const e of ended) byBranch.set(e.branch ?? '', [...(byBranch.get(e.branch ?? '') ?? []), e]);
    // Each webhook made exactly one execution, and each succeeded (else why, stage by stage).
    const why = await Promise.all(
      ended
        .filter((e) => e.status !== 'SUCCEEDED')
        .map(async (e) => {
          const detail = await client().execution(gateways[0]!, e.executionId);
          return {
            execution: e.executionId,
            reason: detail.reason,
            stages: detail.stages.map((s) => `${s.stageId} ${s.status} ${s.reason ?? ''}`),
          };
        }),
    );
    expect(why).toEqual([]);
    expect([...byBranch.entries()].map(([b, es]) => [b, es.map((e) => e.status)]).sort()).toEqual(
      branches.map((b) => [b, ['SUCCEEDED']]).sort(),
    );

    // Each stage ran exactly once: one journal line, one orchestrator attempt, one builder run.
    const ids = ended.map((e) => e.executionId);
    for (const id of ids)
      expect({ id, ran: journalOf(repository.journal, id) }).toEqual({
        id,
        ran: Object.fromEntries(STAGES.map((s) => [s, [1]])),
      });
    const attempts = await platform.query<{ execution_id: string; stage_id: string; attempts: string }>(
      `select execution_id, stage_id, count(*) as attempts from {schema:orchestrator}.stage_attempts
       where execution_id = any($1) group by execution_id, stage_id having count(*) <> 1`,
      [ids],
    );
    expect(attempts).toEqual([]);
    const runs = await platform.query<{
      execution_id: string;
      stage_id: string;
      attempt: number;
      status: string;
      owner: string;
    }>(
      `select execution_id, stage_id, attempt, status, owner from {schema:builder}.stage_runs where execution_id = any($1)`,
      [ids],
    );
    expect(runs).toHaveLength(PIPELINES * STAGES.length);
    expect(new Set(runs.map((r) => `${r.execution_id}/${r.stage_id}/${r.attempt}/${r.status}`)).size).toBe(
      PIPELINES * STAGES.length,
    );
    expect(new Set(runs.map((r) => `${r.attempt} ${r.status}`))).toEqual(new Set(['1 succeeded']));

    // No event twice: a subscriber replaying the application's events from the first one (on the
    // other gateway) sees each id once, each execution completed once, each stage succeed once.
    const subscriber = new EventSubscriber(() => gateways[1]!, platform.adminToken, application);
    const completed = await eventually(
      () => {
        const seen = subscriber.events.filter((e) => e.name === 'execution.completed');
        expect(seen.length).toBeGreaterThanOrEqual(PIPELINES);
        return seen;
      },
      30_000,
      100,
    ).finally(() => subscriber.stop());
    const eventIds = new Map<string, number>();
    for (const event of subscriber.events) eventIds.set(event.id, (eventIds.get(event.id) ?? 0) + 1);
    expect([...eventIds.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(completed.map((e) => e.data['executionId']).sort()).toEqual([...ids].sort());
    const stageSucceeded = subscriber.events.filter(
      (e) => e.name === 'execution.stage-changed' && e.data['to'] === 'SUCCEEDED',
    );
    expect(stageSucceeded).toHaveLength(PIPELINES * STAGES.length);

    // And on the bus itself: every envelope id once, one WebhookReceived per delivery (the second
    // delivery of each was not published again), one builder result per stage.
    const onTheBus = await platform.events();
    const busIds = new Map<string, number>();
    for (const event of onTheBus) busIds.set(event.id, (busIds.get(event.id) ?? 0) + 1);
    expect([...busIds.entries()].filter(([, n]) => n > 1)).toEqual([]);
    const received = onTheBus.filter((e) => e.subject === platform.subject('aviary.evt.webhook.received.v1'));
    expect(received.map((e) => e.data['deliveryId']).sort()).toEqual(
      deliveries.map((d) => d.delivery).sort(),
    );
    const results = onTheBus.filter((e) => /\.evt\.stage\.builder\.(completed|failed)\.v1$/.test(e.subject));
    expect(results).toHaveLength(PIPELINES * STAGES.length);

    // The work was shared: by the orchestrator replicas (who dispatched), by the builders (who ran).
    const dispatchers = await platform.query<{ dispatched_by: string }>(
      `select dispatched_by from {schema:orchestrator}.stage_attempts where execution_id = any($1)`,
      [ids],
    );
    const replicaOf = (service: PlatformService, name: string | null) =>
      platform.replicasOf(service).find((p) => name !== null && p.pid === pidIn(name))?.id ?? name;
    const count = (names: Array<string | undefined | null>) => {
      const counts: Record<string, number> = {};
      for (const name of names) counts[name ?? '?'] = (counts[name ?? '?'] ?? 0) + 1;
      return counts;
    };
    const dispatchedBy = count(dispatchers.map((d) => replicaOf('orchestrator', d.dispatched_by)));
    const ranBy = count(runs.map((r) => replicaOf('builder', r.owner)));
    console.log(`stages dispatched by ${JSON.stringify(dispatchedBy)}, run by ${JSON.stringify(ranBy)}`);
    // The gateways ask the deployer, the canary and the quality services (request/reply): each of
    // their replicas answers a share.
    for (let i = 0; i < 16; i++) {
      const gateway = gateways[i % 2]!;
      const execution = `${gateway}/api/v1/executions/${ids[i % ids.length]!}/stages/a`;
      for (const path of [
        `${gateway}/api/v1/applications/${application}/environments`,
        `${execution}/canary-report`,
        `${execution}/quality-report`,
      ]) {
        const response = await fetch(path, { headers: { authorization: `Bearer ${platform.adminToken}` } });
        await response.body?.cancel();
        expect({ path, answered: response.status < 500 }).toEqual({ path, answered: true });
      }
    }

    // Each replica's own counters: what its handlers did.
    const handled: Record<string, number> = {};
    for (const process of platform.processes) {
      const text = await metricsOf(process.url);
      handled[process.id] =
        process.service === 'gateway'
          ? counterValue(text, 'aviary_gateway_webhooks_total')
          : counterValue(text, 'aviary_bus_messages_handled_total');
    }
    console.log(`messages handled (webhooks for the gateways) per replica: ${JSON.stringify(handled)}`);
    for (const replica of platform.replicasOf('orchestrator')) {
      const text = await metricsOf(replica.url);
      const bySubject = text
        .split('\n')
        .filter((line) => line.startsWith('aviary_bus_messages_handled_total{'))
        .map((line) => line.replace(/^[^"]*"([^"]*)".* (\S+)$/, '$1 $2'));
      console.log(`${replica.id} handled ${bySubject.join(', ')}`);
    }
    expect(Object.keys(dispatchedBy).sort()).toEqual(['orchestrator#0', 'orchestrator#1']);
    expect(Object.keys(ranBy).sort()).toEqual(['builder#0', 'builder#1']);

    for (const service of PLATFORM_SERVICES)
      for (const replica of platform.replicasOf(service))
        expect({ replica: replica.id, busy: handled[replica.id]! > 0 }).toEqual({
          replica: replica.id,
          busy: true,
        });
  }, 300_000);
});
