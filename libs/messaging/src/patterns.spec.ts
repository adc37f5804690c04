import { describe, expect, it } from '@jest/globals';
import { consumerName, kindOfPattern } from './patterns.js';

describe('kindOfPattern', () => {
  it('reads the kind from the second token, wildcards allowed after it', () => {
    expect(kindOfPattern('aviary.cmd.builder.run.v1')).toBe('command');
    expect(kindOfPattern('aviary.evt.stage.>')).toBe('event');
    expect(kindOfPattern('aviary.evt.stage.*.completed.v1')).toBe('event');
    expect(kindOfPattern('aviary.qry.builder.read-file.v1')).toBe('query');
  });

  it('rejects what the transport cannot route, saying why', () => {
    expect(() => kindOfPattern('builder.run')).toThrow('must be a canonical subject starting with "aviary."');
    expect(() => kindOfPattern('aviary.*.builder.run.v1')).toThrow(
      'must start with aviary.cmd, .evt or .qry',
    );
    expect(() => kindOfPattern('aviary.evt')).toThrow('must start with aviary.cmd, .evt or .qry');
    expect(() => kindOfPattern('aviary.evt.>.x')).toThrow('is not a valid NATS subject');
    expect(() => kindOfPattern('aviary.evt..x')).toThrow('is not a valid NATS subject');
  });
});

describe('consumerName', () => {
  it('is stable per service and pattern, without the characters NATS forbids in names', () => {
    expect(consumerName('builder', 'aviary.cmd.builder.run.v1')).toBe('builder__cmd_builder_run_v1');
    expect(consumerName('gateway', 'aviary.evt.stage.*.completed.v1')).toBe(
      'gateway__evt_stage_STAR_completed_v1',
    );
    expect(consumerName('gateway', 'aviary.evt.>')).toBe('gateway__evt_REST');
    expect(consumerName('notifier', 'aviary.evt.>')).not.toBe(consumerName('gateway', 'aviary.evt.>'));
  });
});
