import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type Envelope,
  GetQualityReport,
  type QualityReport,
  StageCommands,
  type StageCommandData,
} from '@aviary/events';
import { ARTIFACTS_BUCKET, artifactUrl, createJetStreamBus, type Bus } from '@aviary/messaging';
import { REPORT_KIND_NAMES, type ReportKind } from '@aviary/quality-gate';
import { sampleAppReports, type SampleAppReports } from '@aviary/quality-gate/testing';
import { type RunningService, startService } from '@aviary/runtime';
import {
  databaseUrlForTests,
  deleteStreams,
  dropSchema,
  eventually,
  eventuallyFound,
  natsUrlForTests,
  uniqueBusNames,
  uniqueSchemaName,
} from '@aviary/test-support';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pino } from 'pino';
import { qualityService } from '../service.js';
import { type BuilderStandIn, GitRepository, startBuilderStandIn } from '../testing/builder-stand-in.js';
import { type RecordedSonarQube, startRecordedSonarQube } from '../testing/sonarqube-server.js';

const gate = StageCommands.quality.gate;
const SONAR_TOKEN = 'squ_e2e';

async function sourcesOf(dir: string, only: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const top of only) {
    const walk = async (path: string): Promise<void> => {
      for (const entry of await readdir(path, { withFileTypes: true })) {
        const full = join(path, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files[relative(dir, full)] = await readFile(full, 'utf8');
      }
    };
    await walk(join(dir, top));
  }
  return files;
}

/** The quality service on the bus (real NATS and PostgreSQL), the reports in the object store. */
describe('the quality service', () => {
  let service: RunningService;
  let client: Bus;
  let builder: BuilderStandIn;
  let sonar: RecordedSonarQube;
  let clean: SampleAppReports;
  let spoiled: SampleAppReports;
  const repo = new GitRepository();
  const shas: string[] = [];
  const seen: Envelope[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    [clean, spoiled] = await Promise.all([sampleAppReports(), sampleAppReports({ spoiled: true })]);
    // The application's history: the sample app, then a commit adding two API versions and a gate file.
    shas.push(repo.commit(await sourcesOf(clean.appDir, ['src', 'test'])));
    shas.push(
      repo.commit({
        ...(await sourcesOf(spoiled.appDir, ['api', 'test'])),
        '.aviary/quality-gates/team.yaml': [
          'extends: default',
          'subProjects: ["api/v*"]',
          'conditions:',
          '  - { metric: coverage, op: lt, error: 80, onNewCode: true }',
          '',
        ].join('\n'),
      }),
    );
    const names = uniqueBusNames();
    const schemaPrefix = `${uniqueSchemaName('qua')}_`;
    const natsUrl = await natsUrlForTests();
    const databaseUrl = await databaseUrlForTests();
    cleanups.push(() => dropSchema(databaseUrl, `${schemaPrefix}quality`));
    cleanups.push(() => deleteStreams(natsUrl, names.streamPrefix));
    sonar = await startRecordedSonarQube(SONAR_TOKEN);
    service = await startService(qualityService, {
      env: {
        NATS_URL: natsUrl,
        DATABASE_URL: databaseUrl,
        AVIARY_SUBJECT_ROOT: names.subjectRoot,
        AVIARY_STREAM_PREFIX: names.streamPrefix,
        AVIARY_SCHEMA_PREFIX: schemaPrefix,
        PORT: '0',
        LOG_LEVEL: 'silent',
        QUALITY_SONARQUBE_URL: sonar.url,
        QUALITY_SONARQUBE_TOKEN: SONAR_TOKEN,
        QUALITY_SONARQUBE_POLL_MS: '50',
        QUALITY_QUERY_TIMEOUT_MS: '10000',
      },
    });
    builder = await startBuilderStandIn({ natsUrl, ...names }, repo);
    client = createJetStreamBus({
      service: 'quality-test',
      servers: natsUrl,
      subjectRoot: names.subjectRoot,
      streamPrefix: names.streamPrefix,
      logger: pino({ level: 'silent' }),
    });
    const feed = await client.client.subscribeEvents('aviary.evt.stage.quality.>');
    void (async () => {
      for await (const event of feed) seen.push(event.envelope);
    })();
    cleanups.push(() => Promise.resolve(feed.close()));
    await eventually(async () => expect((await fetch(`${service.url}/health`)).status).toBe(200), 20_000);
  }, 90_000);

  afterAll(async () => {
    await service?.close();
    await builder?.close();
    await client?.close();
    await sonar?.close();
    await Promise.all([clean?.remove(), spoiled?.remove()]);
    repo.dispose();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  /** Keeps the reports as the builder does, and returns the stage outputs that name them. */
  async function keep(
    executionId: string,
    reports: SampleAppReports,
    kinds: readonly ReportKind[] = REPORT_KIND_NAMES,
  ) {
    const store = client.client.objects(ARTIFACTS_BUCKET);
    const refs: Record<string, string> = {};
    for (const kind of kinds) {
      const name = `${executionId}/test/1/${kind}/${kind}.report`;
      await store.put(name, new TextEncoder().encode(await reports.read(kind)));
      refs[kind] = artifactUrl(name);
    }
    return refs;
  }

  let executions = 0;
  function command(
    sha: string,
    settings: Record<string, unknown>,
    stageId = 'quality-gate',
    executionId?: string,
  ): StageCommandData {
    return {
      executionId: executionId ?? `exec-${++executions}-${Date.now()}`,
      stageId,
      attempt: 1,
      application: 'sample-app',
      stageType: 'quality-gate',
      trigger: {
        kind: 'push',
        provider: 'generic',
        repository: `file://${repo.dir}`,
        ref: 'refs/heads/main',
        branch: 'main',
        sha,
      },
      settings: {
        mode: 'scan-and-gate',
        gate: 'default',
        mainBranch: 'main',
        provider: 'aviary',
        reports: {},
        ...settings,
      },
      inputs: {},
      deadline: new Date(Date.now() + 60_000).toISOString(),
    };
  }
  const eventsOf = (c: StageCommandData) =>
    seen.filter((e) => {
      const d = e.data as { executionId: string; stageId: string };
      return d.executionId === c.executionId && d.stageId === c.stageId;
    });
  const result = (c: StageCommandData) =>
    eventuallyFound(
      `the result of ${c.stageId}`,
      () => eventsOf(c).find((e) => /\.(completed|failed)\.v1$/.test(e.type)),
      30_000,
      50,
    );
  const report = async (c: StageCommandData): Promise<QualityReport> => {
    const reply = await client.client.query(
      GetQualityReport,
      { executionId: c.executionId, stageId: c.stageId },
      { timeoutMs: 10_000 },
    );
    if (!reply.found) throw new Error(reply.reason);
    return reply.report;
  };

  let first: StageCommandData;

  it('passes the sample app’s first main build on the default gate: completed with analysisId, gateStatus and coverage', async () => {
    const executionId = `exec-first-${Date.now()}`;
    first = command(shas[0]!, { reports: await keep(executionId, clean) }, 'quality-gate', executionId);
    await client.client.publish(gate, first);
    const done = await result(first);
    expect(done.type).toBe('dev.aviary.evt.stage.quality.completed.v1');
    const outputs = (done.data as { outputs: Record<string, unknown> }).outputs;
    expect(outputs).toMatchObject({
      analysisId: `${executionId}/quality-gate/1`,
      gateStatus: 'OK',
      coverage: expect.any(Number),
    });
    expect(outputs['coverage']).toBeGreaterThan(95);
    expect(eventsOf(first).map((e) => e.type.split('.').at(-2))).toEqual(['started', 'completed']);
    const r = await report(first);
    expect(r).toMatchObject({
      gate: 'passed',
      status: 'OK',
      gateName: 'default',
      sha: shas[0],
      branch: 'main',
    });
    expect(r.newCode).toEqual({ available: false, reason: 'no earlier main build to compare with' });
    expect(r.previous).toBeUndefined();
  });

  it('fails the next build on the team’s gate file: each API version gated alone, new code measured from the diff, the delta from the first build', async () => {
    const executionId = `exec-second-${Date.now()}`;
    const c = command(
      shas[1]!,
      { gate: 'team', reports: await keep(executionId, spoiled) },
      'quality-gate',
      executionId,
    );
    await client.client.publish(gate, c);
    const done = await result(c);
    expect(done.type).toBe('dev.aviary.evt.stage.quality.failed.v1');
    const data = done.data as {
      error: {
        message: string;
        code: string;
        details: { failing: string[]; conditions: { project: string; metric: string }[] };
      };
      outputs: Record<string, unknown>;
    };
    expect(data.error.code).toBe('quality-gate-failed');
    expect(data.error.message).toMatch(/^quality gate "team" failed \(\(project\), api\/v1, api\/v2\): /);
    expect(data.error.details.failing).toEqual(['(project)', 'api/v1', 'api/v2']);
    expect(data.error.details.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ project: 'api/v1', metric: 'bugs', actual: 1, error: 0, status: 'ERROR' }),
        expect.objectContaining({ project: 'api/v2', metric: 'duplicated_blocks' }),
        expect.objectContaining({ project: '(project)', metric: 'new_coverage', status: 'ERROR' }),
      ]),
    );
    expect(data.outputs).toMatchObject({ gateStatus: 'ERROR' });

    const r = await report(c);
    expect(r).toMatchObject({
      gate: 'failed',
      status: 'ERROR',
      gateName: 'team',
      failing: ['(project)', 'api/v1', 'api/v2'],
    });
    expect(r.subProjects!.map((p) => `${p.name}:${p.status}`)).toEqual(['api/v1:ERROR', 'api/v2:ERROR']);
    expect(r.newCode).toMatchObject({ available: true, baseSha: shas[0] });
    expect(r.metrics['new_lines']).toBeGreaterThan(30);
    expect(r.metrics['new_coverage']).toBeLessThan(80);
    expect(r.conditions.find((x) => x.metric === 'new_coverage')).toMatchObject({
      operator: 'lt',
      threshold: 80,
      passed: false,
      status: 'ERROR',
      onNewCode: true,
    });
    expect(r.previous).toMatchObject({
      reportId: `${first.executionId}/quality-gate/1`,
      sha: shas[0],
      status: 'OK',
    });
    expect(r.delta).toMatchObject({ bugs: 1, vulnerabilities: 3, test_failures: 1 });
    expect(r.delta!['coverage']).toBeLessThan(0);
  });

  it('scans then gates as the preset does: the scan completes whatever the gate says, the gate stage judges the scan’s analysis', async () => {
    const executionId = `exec-split-${Date.now()}`;
    const scan = command(
      shas[1]!,
      { mode: 'scan', reports: await keep(executionId, spoiled, ['coverage', 'lint']) },
      'quality-scan',
      executionId,
    );
    await client.client.publish(gate, scan);
    const scanned = await result(scan);
    expect(scanned.type).toBe('dev.aviary.evt.stage.quality.completed.v1');
    const { analysisId } = (scanned.data as { outputs: { analysisId: string; gateStatus: string } }).outputs;
    expect((scanned.data as { outputs: { gateStatus: string } }).outputs.gateStatus).toBe('ERROR');
    // The reports are gone by now (expired): the gate judges what the scan measured, not them again.
    const store = client.client.objects(ARTIFACTS_BUCKET);
    for (const name of await store.list(`${executionId}/`)) await store.delete(name.name);
    const judged = command(shas[1]!, { mode: 'gate', analysis: analysisId }, 'quality-gate', executionId);
    await client.client.publish(gate, judged);
    const done = await result(judged);
    expect(done.type).toBe('dev.aviary.evt.stage.quality.failed.v1');
    expect((done.data as { error: { message: string } }).error.message).toContain(
      'Bugs 1 (error > 0): ERROR',
    );
    expect(await report(judged)).toMatchObject({
      metrics: (await report(scan)).metrics,
      newCode: (await report(scan)).newCode,
    });

    // Another gate than the scan's evaluates again, and finds the reports gone.
    const other = command(
      shas[1]!,
      { mode: 'gate', gate: 'team', analysis: analysisId },
      'quality-gate-team',
      executionId,
    );
    await client.client.publish(gate, other);
    const regated = await result(other);
    expect((regated.data as { error: { code: string } }).error.code).toBe('report-unreadable');
  });

  it('WARN completes the stage with gateStatus WARN; an unreadable report fails it and never passes', async () => {
    const executionId = `exec-warn-${Date.now()}`;
    const refs = await keep(executionId, clean, ['coverage']);
    const warn = command(
      shas[0]!,
      { reports: refs, conditions: [{ metric: 'coverage', op: 'lt', error: 50, warning: 100 }] },
      'warn',
      executionId,
    );
    await client.client.publish(gate, warn);
    const warned = await result(warn);
    expect(warned.type).toBe('dev.aviary.evt.stage.quality.completed.v1');
    expect((warned.data as { outputs: { gateStatus: string } }).outputs.gateStatus).toBe('WARN');

    const name = `${executionId}/test/1/lint/eslint.json`;
    await client.client
      .objects(ARTIFACTS_BUCKET)
      .put(name, new TextEncoder().encode('Oops! Something went wrong'));
    const broken = command(
      shas[0]!,
      { reports: { ...refs, lint: artifactUrl(name), junit: 'reports/junit.xml' } },
      'broken',
      executionId,
    );
    await client.client.publish(gate, broken);
    const failed = await result(broken);
    expect(failed.type).toBe('dev.aviary.evt.stage.quality.failed.v1');
    const error = (failed.data as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('report-unreadable');
    expect(error.message).toMatch(/^report unreadable: /);
    expect(error.message).toContain(`${artifactUrl(name)}: not JSON`);
    expect(error.message).toContain('reports/junit.xml: not an artifact reference');
    expect((await report(broken)).gate).toBe('error');
  });

  it('handles a command delivered again once: one result, one stored evaluation', async () => {
    const again = { ...first };
    await client.client.publish(gate, again);
    await client.client.publish(gate, again);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(eventsOf(first).map((e) => e.type.split('.').at(-2))).toEqual(['started', 'completed']);
  });

  it('defers to SonarQube: waits for the task and reports its gate in the same shape', async () => {
    const c = command(
      shas[1]!,
      { provider: 'sonarqube', sonarqube: { projectKey: 'shop-orders', taskId: 'AVAn5RKqYwETbXvgas-I' } },
      'sonar',
    );
    await client.client.publish(gate, c);
    const done = await result(c);
    expect(done.type).toBe('dev.aviary.evt.stage.quality.failed.v1');
    expect((done.data as { error: { message: string } }).error.message).toContain(
      'new_coverage 82.50562381034781 (error < 85): ERROR',
    );
    const r = await report(c);
    expect(r).toMatchObject({ provider: 'sonarqube', status: 'ERROR', gateName: 'sonarqube:shop-orders' });
    expect(r.metrics['coverage']).toBe(91.3);
    const legacy = command(
      shas[1]!,
      { provider: 'sonarqube', sonarqube: { projectKey: 'legacy' } },
      'sonar-legacy',
    );
    await client.client.publish(gate, legacy);
    const warned = await result(legacy);
    expect(warned.data).toMatchObject({ outputs: { gateStatus: 'WARN' } });
  });
});
