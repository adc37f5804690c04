import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetEnvironments, StageCommands, StageEvents, type StageCommandData } from '@aviary/events';
import { createJetStreamBus, type Bus } from '@aviary/messaging';
import { type RunningService, startService } from '@aviary/runtime';
import { eventually, isolatedServiceEnv } from '@aviary/test-support';
import { pino } from 'pino';
import { deployerService } from '../service.js';

const commands = StageCommands.deployer;
const local = { command: `${process.execPath} server.js`, directory: 'tiny-app' };

/** The environments query on the bus, answered from releases the deployer really made (local target). */
describe('the environments query', () => {
  let service: RunningService;
  let client: Bus;
  const done = new Set<string>();
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    const isolated = await isolatedServiceEnv('env');
    cleanups.push(() => isolated.cleanup(['deployer']));
    service = await startService(deployerService, {
      env: {
        ...isolated.env,
        DEPLOYER_TARGETS: JSON.stringify({ '*': { kind: 'local' } }),
        DEPLOYER_LOCAL_ROOT: join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'fixtures'),
      },
    });
    client = createJetStreamBus({
      service: 'environments-test',
      servers: isolated.natsUrl,
      ...isolated.names,
      logger: pino({ level: 'silent' }),
    });
    const feed = await client.client.subscribeEvents(StageEvents.deployer.completed.subject);
    void (async () => {
      for await (const event of feed) {
        const data = event.envelope.data as { executionId: string; stageId: string };
        done.add(`${data.executionId}/${data.stageId}`);
      }
    })();
    cleanups.push(() => Promise.resolve(feed.close()));
    await eventually(async () => expect((await fetch(`${service.url}/health`)).status).toBe(200), 20_000);
  });

  afterAll(async () => {
    await service.close();
    await client.close();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  async function run(stageId: 'deploy' | 'canary-deploy', executionId: string, settings: object) {
    const command: StageCommandData = {
      executionId,
      stageId,
      attempt: 1,
      application: 'kiosk',
      stageType: stageId,
      trigger: {
        kind: 'push',
        provider: 'github',
        repository: 'https://github.com/acme/kiosk',
        ref: 'refs/heads/main',
        branch: 'main',
        sha: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      },
      settings: { application: 'kiosk', env: {}, overrides: {}, local, ...settings },
      inputs: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
    };
    await client.client.publish(commands[stageId], command);
    await eventually(() => expect(done.has(`${executionId}/${stageId}`)).toBe(true), 30_000);
  }

  it('says which versions run in each environment, with production, baseline and canary during a canary', async () => {
    const rolling = { strategy: 'rolling', keepPreviousFor: 0, steps: [100], stepPause: 0, dryRun: false };
    await run('deploy', 'exec-homolog', {
      ...rolling,
      environment: 'homolog',
      namespace: 'homolog',
      image: 'kiosk:2',
    });
    await run('deploy', 'exec-prod', {
      ...rolling,
      environment: 'production',
      namespace: 'production',
      image: 'kiosk:1',
      replicas: 2,
    });
    await run('canary-deploy', 'exec-canary', {
      environment: 'production',
      namespace: 'production',
      image: 'kiosk:2',
      canaryReplicas: 1,
      baselineReplicas: 1,
    });

    const reply = await client.client.query(GetEnvironments, { application: 'kiosk' }, { timeoutMs: 10_000 });
    expect(reply.environments.map((e) => e.environment)).toEqual(['homolog', 'production']);
    const [homolog, production] = reply.environments;
    expect(homolog!.serverGroups).toMatchObject([
      {
        name: 'kiosk',
        role: 'production',
        version: '2',
        replicas: 1,
        health: 'healthy',
        executionId: 'exec-homolog',
      },
    ]);
    expect(production!.serverGroups).toMatchObject([
      {
        name: 'kiosk',
        role: 'production',
        image: 'kiosk:1',
        replicas: 2,
        health: 'healthy',
        executionId: 'exec-prod',
      },
      { name: 'kiosk-baseline', role: 'baseline', image: 'kiosk:1', replicas: 1, health: 'healthy' },
      { name: 'kiosk-canary', role: 'canary', image: 'kiosk:2', replicas: 1, health: 'healthy' },
    ]);
    expect(production!.lastRelease).toMatchObject({
      executionId: 'exec-canary',
      strategy: 'canary',
      state: 'healthy',
    });

    const none = await client.client.query(
      GetEnvironments,
      { application: 'nothing-here' },
      { timeoutMs: 10_000 },
    );
    expect(none).toEqual({ application: 'nothing-here', environments: [] });
  }, 90_000);
});
