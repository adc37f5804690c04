import { describe, expect, it } from '@jest/globals';
import { FINISHED_STATUSES } from '../model.js';
import { graph, stage, valid } from '../testing/parse.js';

const minimal = `
preset: node-service
name: orders-api
`;

const full = `
preset: node-service
name: orders-api
servicePath: orders
nodeImage: node:24-alpine
testEnv: { NODE_ENV: test, DATABASE_URL: "postgres://postgres@db:5432/test" }
homologEnv: { LOG_LEVEL: debug }
productionEnv: { LOG_LEVEL: info, REPLICA_ZONE: 2 }
containers:
  - name: db
    image: postgres:16
    ports: [5432]
    command: postgres -D /tmp/pg
registryRepository: registry.example.com/shop/orders
mainBranch: master
`;

describe('the node-service preset', () => {
  describe('without canary', () => {
    const pipeline = valid(minimal);

    it('expands to the Jenkins library stages, lint and tests side by side', () => {
      expect(pipeline.preset).toBe('node-service');
      expect(graph(pipeline)).toEqual([
        'checkout (checkout) <- -',
        'install (run) <- checkout',
        'lint (run) <- install',
        'test (run) <- install',
        'quality-scan (quality-gate) <- lint, test',
        'quality-gate (quality-gate) <- quality-scan',
        'build (build-image) <- quality-gate',
        'deploy-homolog (deploy) <- build',
        'deploy-production (deploy) <- deploy-homolog',
        'notify (notify) <- deploy-production',
      ]);
    });

    it('runs the library commands in the node image, with defaults from the name', () => {
      expect(stage(pipeline, 'install').settings).toMatchObject({ command: 'npm ci', image: 'node:24' });
      expect(stage(pipeline, 'lint').settings).toMatchObject({ command: 'npm run lint', image: 'node:24' });
      expect(stage(pipeline, 'test').settings).toMatchObject({
        command: 'npm run test:ci:cover',
        reports: { coverage: 'coverage/lcov.info' },
      });
      expect(stage(pipeline, 'build').settings).toMatchObject({
        repository: 'orders-api',
        tag: '${trigger.sha}',
        buildArgs: { NODE_IMAGE: 'node:24' },
      });
      expect(stage(pipeline, 'deploy-homolog').settings).toMatchObject({
        environment: 'homolog',
        image: '${stages.build.outputs.imageUrl}',
        servicePath: 'orders-api',
        application: 'orders-api',
      });
      expect(pipeline).toMatchObject({ concurrency: 'queue', triggers: { tags: false } });
    });

    it('gates quality and production on the main branch, and notifies whatever happened', () => {
      expect(stage(pipeline, 'quality-scan')).toMatchObject({
        when: { branches: ['main'] },
        settings: {
          mode: 'scan',
          gate: 'default',
          mainBranch: 'main',
          reports: { coverage: '${stages.test.outputs.coverageReport}' },
        },
      });
      // The gate judges what the scan read: it names the scan's analysis.
      expect(stage(pipeline, 'quality-gate')).toMatchObject({
        when: { branches: ['main'] },
        settings: {
          mode: 'gate',
          gate: 'default',
          mainBranch: 'main',
          analysis: '${stages.quality-scan.outputs.analysisId}',
        },
      });
      expect(stage(pipeline, 'deploy-homolog').when).toBeUndefined();
      expect(stage(pipeline, 'deploy-production')).toMatchObject({
        when: { branches: ['main'] },
        onFailure: 'rollback',
        settings: {
          environment: 'production',
          strategy: 'rolling',
          image: '${stages.build.outputs.imageUrl}',
        },
      });
      expect(stage(pipeline, 'notify').when).toEqual({ statuses: [...FINISHED_STATUSES] });
    });

    it('gives a whole-pipeline timeout as long as its longest chain of stages', () => {
      // checkout 10m + install 30m + test 30m + scan 15m + gate 15m + build 30m + 2 deploys 15m + notify 5m
      expect(pipeline.timeoutMs).toBe((10 + 30 + 30 + 15 + 15 + 30 + 15 + 15 + 5) * 60_000);
    });
  });

  it('passes every argument where the library used it', () => {
    const pipeline = valid(full);
    expect(stage(pipeline, 'test').settings).toMatchObject({
      image: 'node:24-alpine',
      env: { NODE_ENV: 'test', DATABASE_URL: 'postgres://postgres@db:5432/test' },
      containers: [
        { name: 'db', image: 'postgres:16', ports: [5432], env: {}, command: 'postgres -D /tmp/pg' },
      ],
    });
    expect(stage(pipeline, 'build').settings).toMatchObject({
      repository: 'registry.example.com/shop/orders',
    });
    expect(stage(pipeline, 'deploy-homolog').settings).toMatchObject({
      env: { LOG_LEVEL: 'debug' },
      servicePath: 'orders',
    });
    expect(stage(pipeline, 'deploy-production')).toMatchObject({
      when: { branches: ['master'] },
      settings: { env: { LOG_LEVEL: 'info', REPLICA_ZONE: '2' }, servicePath: 'orders' },
    });
    expect(stage(pipeline, 'quality-gate').when).toEqual({ branches: ['master'] });
  });

  describe('with canary', () => {
    const pipeline = valid(`${full}
canaryEnabled: true
canary:
  lifetime: 1h
  interval: 10m
  thresholds: { pass: 90, marginal: 60 }
notify:
  channels: ['slack:#orders']
`);

    it('releases through baseline + canary, analysis, precondition, then promote or rollback', () => {
      expect(graph(pipeline).slice(7)).toEqual([
        'deploy-homolog (deploy) <- build',
        'canary-deploy (canary-deploy) <- deploy-homolog',
        'canary-analysis (canary-analysis) <- canary-deploy',
        'check-precondition (check-precondition) <- canary-analysis',
        'promote (promote) <- check-precondition',
        'rollback (rollback) <- check-precondition',
        'notify (notify) <- promote, rollback',
      ]);
      expect(pipeline.stages.map((s) => s.id)).not.toContain('deploy-production');
    });

    it('wires the canary outputs from stage to stage', () => {
      expect(stage(pipeline, 'canary-deploy')).toMatchObject({
        when: { branches: ['master'] },
        onFailure: 'rollback',
        settings: {
          environment: 'production',
          image: '${stages.build.outputs.imageUrl}',
          env: { LOG_LEVEL: 'info' },
        },
      });
      expect(stage(pipeline, 'canary-analysis')).toMatchObject({
        timeoutMs: (60 + 15) * 60_000,
        settings: {
          config: 'orders-api',
          lifetime: 3_600_000,
          interval: 600_000,
          thresholds: { pass: 90, marginal: 60 },
          baselineScope: '${stages.canary-deploy.outputs.baselineScope}',
          canaryScope: '${stages.canary-deploy.outputs.canaryScope}',
          location: '${stages.canary-deploy.outputs.location}',
        },
      });
      expect(stage(pipeline, 'canary-analysis').settings).not.toHaveProperty('step');
      expect(stage(pipeline, 'promote').settings).toMatchObject({
        image: '${stages.canary-deploy.outputs.canaryImage}',
      });
      expect(stage(pipeline, 'rollback').settings).toMatchObject({
        image: '${stages.canary-deploy.outputs.baselineImage}',
      });
    });

    it('hands the analysis its warm-up and step when given (short intervals need a short step)', () => {
      const quick = valid(`${full}
canaryEnabled: true
canary: { lifetime: 1m, interval: 20s, delay: 5s, step: 2s }
`);
      expect(stage(quick, 'canary-analysis').settings).toMatchObject({
        lifetime: 60_000,
        interval: 20_000,
        delay: 5_000,
        step: 2_000,
      });
    });

    it('expresses the verdict in the DAG: precondition after any verdict, promote on its success, rollback on its failure', () => {
      expect(stage(pipeline, 'check-precondition')).toMatchObject({
        when: { branches: ['master'], statuses: ['SUCCEEDED', 'FAILED'] },
        settings: { expressions: ['stage("canary-analysis").status == "SUCCEEDED"'] },
      });
      expect(stage(pipeline, 'promote').when).toEqual({ branches: ['master'], statuses: ['SUCCEEDED'] });
      expect(stage(pipeline, 'rollback').when).toEqual({ branches: ['master'], statuses: ['FAILED'] });
      expect(stage(pipeline, 'notify')).toMatchObject({
        when: { statuses: [...FINISHED_STATUSES] },
        settings: { channels: ['slack:#orders'] },
      });
    });
  });

  it('keeps the reports the test and lint stages write and hands every one of them to the quality scan', () => {
    const pipeline = valid(`
preset: node-service
name: orders-api
qualityGate: strict
subProjects: ['api/v*']
reports:
  test: { coverage: coverage/lcov.info, junit: reports/junit.xml, coverageSummary: coverage/coverage-summary.json }
  lint: { lint: reports/eslint.json }
`);
    expect(stage(pipeline, 'lint').settings).toMatchObject({ reports: { lint: 'reports/eslint.json' } });
    expect(stage(pipeline, 'test').settings).toMatchObject({
      reports: { coverage: 'coverage/lcov.info', junit: 'reports/junit.xml' },
    });
    expect(stage(pipeline, 'quality-scan').settings).toMatchObject({
      gate: 'strict',
      subProjects: ['api/v*'],
      reports: {
        lint: '${stages.lint.outputs.lintReport}',
        coverage: '${stages.test.outputs.coverageReport}',
        junit: '${stages.test.outputs.junitReport}',
        coverageSummary: '${stages.test.outputs.coverageSummaryReport}',
      },
    });
    expect(stage(pipeline, 'quality-gate').settings).toMatchObject({
      gate: 'strict',
      subProjects: ['api/v*'],
    });
  });
});
