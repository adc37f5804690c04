import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { graph, invalid, stage, valid } from '../testing/parse.js';
import { formatErrors } from './errors.js';
import { parsePipeline } from './parse-pipeline.js';

const fixture = (name: string) =>
  readFileSync(
    join(dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'fixtures', `${name}.yaml`),
    'utf8',
  );

describe('parsePipeline on explicit stages', () => {
  const pipeline = valid(`
name: catalog-api
triggers: { branches: [main, 'release/*'], tags: true }
stages:
  - id: checkout
    type: checkout
  - id: unit
    type: run
    command: npm test
    outputs: [version]
  - id: e2e
    type: run
    dependsOn: [checkout]
    command: npm run e2e
    retries: 2
    onFailure: ignore
  - id: build
    type: build-image
    dependsOn: [unit, e2e]
    repository: registry.example.com/catalog
    tag: \${stages.unit.outputs.version}
    timeout: 1h30m
    retries: { count: 3, backoff: 5s, maxBackoff: 1m, factor: 3 }
  - id: approve
    type: manual-judgment
    dependsOn: []
    timeout: 1h
  - id: deploy
    type: deploy
    dependsOn: [build, approve]
    environment: production
    image: \${stages.build.outputs.imageUrl}
    if:
      branches: [main]
      statuses: [SUCCEEDED]
      expression: stage("approve").outputs.decision == "approve"
`);

  it('follows the previous stage when dependsOn is absent, and [] means at the start', () => {
    expect(stage(pipeline, 'unit').dependsOn).toEqual(['checkout']);
    expect(stage(pipeline, 'approve').dependsOn).toEqual([]);
  });

  it('orders stages so dependencies come first, keeping the file order otherwise', () => {
    expect(graph(pipeline)).toEqual([
      'checkout (checkout) <- -',
      'unit (run) <- checkout',
      'e2e (run) <- checkout',
      'build (build-image) <- unit, e2e',
      'approve (manual-judgment) <- -',
      'deploy (deploy) <- build, approve',
    ]);
  });

  it('fills defaults: names, timeouts per type, retries, onFailure, settings', () => {
    expect(stage(pipeline, 'checkout')).toEqual({
      id: 'checkout',
      name: 'Checkout',
      type: 'checkout',
      dependsOn: [],
      timeoutMs: 600_000,
      retries: { max: 0, initialBackoffMs: 10_000, maxBackoffMs: 300_000, factor: 2 },
      onFailure: 'fail',
      settings: { ref: '${trigger.sha}' },
    });
    expect(stage(pipeline, 'e2e')).toMatchObject({
      retries: { max: 2, initialBackoffMs: 10_000 },
      onFailure: 'ignore',
    });
    expect(stage(pipeline, 'build')).toMatchObject({
      timeoutMs: 5_400_000,
      retries: { max: 3, initialBackoffMs: 5_000, maxBackoffMs: 60_000, factor: 3 },
      settings: { dockerfile: 'Dockerfile', context: '.', push: true, tag: '${stages.unit.outputs.version}' },
    });
    expect(stage(pipeline, 'approve')).toMatchObject({ timeoutMs: 3_600_000, settings: { roles: [] } });
    expect(stage(valid('name: a\nstages: [{ id: ok, type: manual-judgment }]'), 'ok').timeoutMs).toBe(
      86_400_000,
    );
    expect(stage(pipeline, 'deploy')).toMatchObject({
      when: {
        branches: ['main'],
        statuses: ['SUCCEEDED'],
        expression: 'stage("approve").outputs.decision == "approve"',
      },
      settings: {
        namespace: 'production',
        application: 'catalog-api',
        strategy: 'rolling',
        env: {},
        overrides: {},
      },
    });
    expect(pipeline).toMatchObject({
      name: 'catalog-api',
      concurrency: 'queue',
      triggers: { branches: ['main', 'release/*'], tags: true },
    });
    expect(pipeline.preset).toBeUndefined();
  });

  it('bounds the whole execution by the longest chain, retries and backoffs included', () => {
    // checkout 10m, then e2e 3 x 30m + 10s + 20s, then build 4 x 1h30m + 5s + 15s + 45s, then deploy 15m
    // (longer than approve 1h then deploy).
    const e2e = 3 * 30 * 60_000 + 10_000 + 20_000;
    const build = 4 * 5_400_000 + 5_000 + 15_000 + 45_000;
    expect(pipeline.timeoutMs).toBe(10 * 60_000 + e2e + build + 15 * 60_000);
    expect(valid('name: a\ntimeout: 2h\nstages: [{ id: w, type: wait, duration: 1m }]').timeoutMs).toBe(
      7_200_000,
    );
  });

  it('reads check-precondition expressions into one list, and wait durations as milliseconds', () => {
    const checks = valid(`
name: checks
stages:
  - { id: build, type: build-image, repository: r }
  - { id: both, type: check-precondition, expression: 'stage("build").status == "SUCCEEDED"', expressions: ['trigger.sha != null'] }
  - { id: pause, type: wait, duration: 1m30s }
`);
    expect(stage(checks, 'both').settings).toEqual({
      expressions: ['stage("build").status == "SUCCEEDED"', 'trigger.sha != null'],
    });
    expect(stage(checks, 'pause')).toMatchObject({ settings: { duration: 90_000 }, timeoutMs: 150_000 });
  });
});

describe('parsePipeline notifications', () => {
  it("keeps the file's notifications section for the notifier, explicit or preset", () => {
    const section = `
notifications:
  channels: ['slack:#deploys']
  subscriptions: [{ channel: 'email:team@example.com', events: [execution.failed] }]
`;
    const explicit = valid(`name: catalog-api
stages: [{ id: unit, type: run, command: npm test }]
${section}`);
    const preset = valid(`preset: node-service
name: catalog-api
${section}`);
    for (const pipeline of [explicit, preset])
      expect(pipeline.notifications).toEqual({
        channels: ['slack:#deploys'],
        subscriptions: [{ channel: 'email:team@example.com', events: ['execution.failed'] }],
        templates: {},
      });
    expect(valid('name: quiet\nstages: [{ id: unit, type: run, command: npm test }]')).not.toHaveProperty(
      'notifications',
    );
  });
});

describe('parsePipeline YAML features', () => {
  it('lets stages share settings through anchors and merge keys', () => {
    const pipeline = valid(`
name: merged
stages:
  - &node
    id: unit
    type: run
    image: node:24
    env: { NODE_ENV: test }
    command: npm test
  - <<: *node
    id: lint
    command: npm run lint
`);
    expect(stage(pipeline, 'lint')).toMatchObject({
      dependsOn: ['unit'],
      settings: { image: 'node:24', env: { NODE_ENV: 'test' }, command: 'npm run lint' },
    });
  });
});

describe('parsePipeline errors', () => {
  it('reports every error of a bad file at once, in file order, with path, position and hint', () => {
    expect(invalid(fixture('many-errors'))).toEqual([
      {
        path: 'name',
        line: 1,
        column: 7,
        message:
          '"Catalog API" is not a valid name: lowercase letters, digits and dashes, at most 63 characters',
      },
      {
        path: 'concurency',
        line: 2,
        column: 1,
        message: 'unknown key "concurency"',
        hint: 'did you mean "concurrency"?',
      },
      {
        path: 'stages[1].type',
        line: 7,
        column: 11,
        message: 'unknown stage type "build-imag"',
        hint: 'did you mean "build-image"?',
      },
      {
        path: 'stages[2].timeout',
        line: 12,
        column: 14,
        message: '"5 minutes" is not a duration',
        hint: 'write a number followed by units, largest first: 30s, 5m, 1h30m, 2d, 500ms',
      },
      {
        path: 'stages[2].dependOn',
        line: 13,
        column: 5,
        message: 'unknown key "dependOn"',
        hint: 'did you mean "dependsOn"?',
      },
      {
        path: 'stages[3].dependsOn[0]',
        line: 16,
        column: 17,
        message: 'depends on "build", which is not a stage',
        hint: 'did you mean "biuld"?',
      },
      {
        path: 'stages[3].strategy',
        line: 19,
        column: 15,
        message: '"canari" is not one of rolling, blue-green, rolling-red-black, canary',
        hint: 'did you mean "canary"?',
      },
      {
        path: 'stages[4].id',
        line: 20,
        column: 9,
        message: 'duplicate stage id "test"',
        hint: 'stages[2] already has this id',
      },
      {
        path: 'stages[4].retries.backof',
        line: 23,
        column: 26,
        message: 'unknown key "backof"',
        hint: 'did you mean "backoff"?',
      },
      {
        path: 'stages[5].expression',
        line: 27,
        column: 43,
        message: '"SUCCEDED" is not a stage status',
        hint: 'did you mean "SUCCEEDED"?',
      },
      {
        path: 'stages[5].expression',
        line: 27,
        column: 79,
        message: 'stage("test").outputs.version: stage "test" (run) has no output "version"',
        hint: 'its outputs: exitCode; a run stage declares its own in "outputs:"',
      },
      {
        path: 'stages[6].dependsOn[0]',
        line: 31,
        column: 17,
        message: 'dependsOn forms a cycle: a -> b -> a',
        hint: 'a stage cannot wait for itself: remove one of these dependencies',
      },
      {
        path: 'stages[7].message',
        line: 35,
        column: 20,
        message:
          '${stages.test.outputs.nope}: stage "test" is not upstream of "b", so it may not have run yet',
        hint: 'add "test" to dependsOn, directly or through a stage that depends on it',
      },
      {
        path: 'stages[7].message',
        line: 35,
        column: 48,
        message: 'unknown trigger field "brnch"',
        hint: 'did you mean "branch"?',
      },
    ]);
  });

  it('names the cycle in dependsOn', () => {
    expect(invalid(fixture('cycle'))).toEqual([
      {
        path: 'stages[1].dependsOn[1]',
        line: 7,
        column: 27,
        message: 'dependsOn forms a cycle: build -> deploy -> build',
        hint: 'a stage cannot wait for itself: remove one of these dependencies',
      },
    ]);
    expect(
      invalid('name: a\nstages:\n  - { id: x, type: wait, duration: 1s, dependsOn: [x] }'),
    ).toMatchObject([{ path: 'stages[0].dependsOn[0]', message: 'dependsOn forms a cycle: x -> x' }]);
  });

  it('checks references to stages and outputs: existence, upstream, declared outputs, syntax', () => {
    expect(
      invalid(fixture('bad-references')).map(
        (error) =>
          `${error.line}:${error.column} ${error.path}: ${error.message}${error.hint === undefined ? '' : ` (${error.hint})`}`,
      ),
    ).toEqual([
      '9:19 stages[1].command: ${stages.build.outputs.imageUrl}: stage "build" is not upstream of "test", so it may not have run yet (add "build" to dependsOn, directly or through a stage that depends on it)',
      '15:13 stages[2].image: ${stages.biuld.outputs.imageUrl} refers to stage "biuld", which does not exist (did you mean "build"?)',
      '17:16 stages[2].env.VERSION: ${stages.test.outputs.version}: stage "test" is not upstream of "deploy", so it may not have run yet (add "test" to dependsOn, directly or through a stage that depends on it)',
      '18:15 stages[2].env.DIGEST: ${stages.build.outputs.digest}: stage "build" (build-image) has no output "digest" (its outputs: imageUrl, imageDigest, tag)',
      '19:13 stages[2].env.SELF: ${stages.deploy.outputs.image}: a stage cannot read its own outputs',
      '20:15 stages[2].env.BROKEN: unclosed "${": expected "}"',
      '24:83 stages[3].expression: stage("deploy").outputs.revison: stage "deploy" (deploy) has no output "revison" (did you mean "revision"?)',
      '26:34 stages[3].if.expression: invalid expression: unexpected "=" (column 16) (compare with "==")',
    ]);
  });

  it('points into the preset arguments a reference came from', () => {
    expect(
      invalid(`
preset: node-service
name: orders-api
testEnv:
  IMAGE: \${stages.build.outputs.imageUrl}
productionEnv:
  IMAGE: \${stages.build.outputs.imageUrl}
  SHA: \${trigger.commit}
`),
    ).toEqual([
      {
        path: 'testEnv.IMAGE',
        line: 5,
        column: 10,
        message:
          '${stages.build.outputs.imageUrl}: stage "build" is not upstream of "test", so it may not have run yet',
        hint: 'add "build" to dependsOn, directly or through a stage that depends on it',
      },
      {
        path: 'productionEnv.SHA',
        line: 8,
        column: 8,
        message: 'unknown trigger field "commit"',
        hint: 'trigger fields: kind, provider, repository, ref, branch, tag, sha, actor, message',
      },
    ]);
  });

  it('checks preset arguments', () => {
    expect(invalid(fixture('bad-preset'))).toEqual([
      {
        path: 'preset',
        line: 1,
        column: 9,
        message: '"node-servise" is not allowed here: expected "node-service"',
        hint: 'did you mean "node-service"?',
      },
      { path: 'canaryEnabled', line: 5, column: 16, message: 'expected boolean, found "yes please"' },
      {
        path: 'canary.lifetime',
        line: 7,
        column: 13,
        message: '"half an hour" is not a duration',
        hint: 'write a number followed by units, largest first: 30s, 5m, 1h30m, 2d, 500ms',
      },
    ]);
    expect(invalid('preset: node-service\nname: a\nstages: []\n')).toEqual([
      {
        path: 'stages',
        line: 3,
        column: 1,
        message: 'stages cannot be combined with a preset',
        hint: 'remove "preset:" and write every stage, or remove "stages:"',
      },
    ]);
  });

  it('reports missing keys at the mapping that lacks them', () => {
    expect(invalid('name: a\nstages:\n  - id: d\n    type: deploy\n    environment: homolog\n')).toEqual([
      { path: 'stages[0].image', line: 3, column: 5, message: 'missing required key "image"' },
    ]);
    expect(invalid('stages:\n  - id: c\n    type: chekout\n')).toEqual([
      { path: 'name', line: 1, column: 1, message: 'missing required key "name"' },
      {
        path: 'stages[0].type',
        line: 3,
        column: 11,
        message: 'unknown stage type "chekout"',
        hint: 'did you mean "checkout"?',
      },
    ]);
    expect(invalid('name: a\n')).toEqual([
      {
        path: 'stages',
        line: 1,
        column: 1,
        message: 'missing required key "stages"',
        hint: 'write "preset: node-service", or list the stages',
      },
    ]);
  });

  it('hints how to write a duration given as a bare number', () => {
    expect(invalid('name: a\nstages:\n  - { id: w, type: wait, duration: 30 }\n')).toEqual([
      {
        path: 'stages[0].duration',
        line: 3,
        column: 36,
        message: 'expected string, found 30',
        hint: 'write a number followed by units, largest first: 30s, 5m, 1h30m, 2d, 500ms',
      },
    ]);
  });

  it('checks type-specific rules: preconditions, canary thresholds, statuses without dependencies', () => {
    expect(
      invalid(`
name: a
stages:
  - { id: c, type: check-precondition }
  - id: analysis
    type: canary-analysis
    config: c
    baselineScope: b
    canaryScope: c
    location: l
    lifetime: 10m
    interval: 20m
    thresholds: { pass: 50, marginal: 80 }
  - { id: n, type: notify, dependsOn: [], if: { statuses: [FAILED] } }
`).map((error) => [error.path, error.message]),
    ).toEqual([
      ['stages[0]', 'a check-precondition stage needs "expression" (or "expressions")'],
      ['stages[1].interval', 'the interval is longer than the lifetime'],
      ['stages[1].thresholds.marginal', 'the marginal threshold (80) is above the pass threshold (50)'],
      ['stages[2].if.statuses', 'statuses are those of the dependencies, and this stage has none'],
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(invalid(fixture('syntax-error'))).toEqual([
      {
        path: '(root)',
        line: 6,
        column: 3,
        message: 'YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
    expect(invalid('name: a\nname: b\nstages: []\n')).toEqual([
      {
        path: '(root)',
        line: 2,
        column: 1,
        message: 'YAML: Map keys must be unique',
        hint: 'each key may appear once in a mapping',
      },
    ]);
    expect(invalid('')).toMatchObject([{ path: '(root)', line: 1, column: 1, message: 'the file is empty' }]);
    expect(invalid('- a\n- b\n')).toMatchObject([{ message: 'a pipeline file is a mapping' }]);
  });

  it('formats errors one a line for terminals and editors', () => {
    const result = parsePipeline(fixture('cycle'), { fileName: '.aviary/pipeline.yaml' });
    expect(result).toMatchObject({
      ok: false,
      errors: [{ file: '.aviary/pipeline.yaml', line: 7, column: 27 }],
    });
    const errors = result.ok ? [] : result.errors;
    expect(formatErrors(errors)).toBe(
      '.aviary/pipeline.yaml:7:27  stages[1].dependsOn[1]  dependsOn forms a cycle: build -> deploy -> build (a stage cannot wait for itself: remove one of these dependencies)',
    );
  });
});
