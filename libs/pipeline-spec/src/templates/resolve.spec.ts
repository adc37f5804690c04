import { describe, expect, it } from '@jest/globals';
import { type ExecutionContext } from '../context.js';
import { resolveTemplates, TemplateError, templateReferences } from './resolve.js';

const context: ExecutionContext = {
  trigger: {
    kind: 'push',
    provider: 'github',
    repository: 'shop/orders',
    ref: 'refs/heads/main',
    branch: 'main',
    sha: 'abc1234',
  },
  stages: {
    build: {
      status: 'SUCCEEDED',
      outputs: { imageUrl: 'registry/orders:abc1234', replicas: 3, labels: { team: 'shop' } },
    },
  },
};

describe('resolveTemplates', () => {
  it('keeps the type of a whole-string reference and writes embedded ones as text', () => {
    expect(
      resolveTemplates(
        {
          image: '${stages.build.outputs.imageUrl}',
          replicas: '${stages.build.outputs.replicas}',
          labels: '${stages.build.outputs.labels}',
          message:
            'deployed ${stages.build.outputs.imageUrl} (${stages.build.outputs.replicas} replicas) from ${trigger.branch}',
          env: { SHA: '${trigger.sha}', STATUS: '${stages.build.status}' },
          list: ['${trigger.sha}', 4, true],
          untouched: 'no references',
        },
        context,
      ),
    ).toEqual({
      image: 'registry/orders:abc1234',
      replicas: 3,
      labels: { team: 'shop' },
      message: 'deployed registry/orders:abc1234 (3 replicas) from main',
      env: { SHA: 'abc1234', STATUS: 'SUCCEEDED' },
      list: ['abc1234', 4, true],
      untouched: 'no references',
    });
  });

  it('writes $${ as a literal ${', () => {
    expect(resolveTemplates({ script: 'echo $${HOME} ${trigger.sha}' }, context)).toEqual({
      script: 'echo ${HOME} abc1234',
    });
  });

  it('names every reference without a value', () => {
    let error: unknown;
    try {
      resolveTemplates(
        {
          a: '${stages.build.outputs.imageDigest}',
          b: 'x ${stages.test.outputs.version}',
          c: '${trigger.tag}',
        },
        context,
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).missing).toEqual([
      {
        reference: '${stages.build.outputs.imageDigest}',
        reason: 'stage build (SUCCEEDED) has no output imageDigest (it has imageUrl, replicas, labels)',
      },
      { reference: '${stages.test.outputs.version}', reason: 'stage test has not run' },
      { reference: '${trigger.tag}', reason: 'the trigger has no tag' },
    ]);
    expect((error as TemplateError).message).toContain(
      '${stages.test.outputs.version}: stage test has not run',
    );
  });

  it('lists the references a stage reads, for its command inputs', () => {
    expect(
      templateReferences({
        a: '${stages.build.outputs.imageUrl}',
        b: ['${trigger.sha} ${stages.build.outputs.imageUrl}'],
      }),
    ).toEqual([
      { kind: 'stage-output', stageId: 'build', output: 'imageUrl' },
      { kind: 'trigger', field: 'sha' },
    ]);
  });
});
