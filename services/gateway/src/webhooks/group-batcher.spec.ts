import { describe, expect, it } from '@jest/globals';
import { GroupBatcher } from './group-batcher.js';

describe('GroupBatcher', () => {
  it('runs a lone request at once, and the requests that arrive meanwhile together in the next batch', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const batcher = new GroupBatcher<number, number>(async (inputs) => {
      batches.push(inputs);
      if (batches.length === 1) await new Promise<void>((resolve) => (release = resolve));
      return inputs.map((n) => n * 10);
    });
    const first = batcher.submit(1);
    const rest = [batcher.submit(2), batcher.submit(3), batcher.submit(4)];
    release();
    expect(await first).toBe(10);
    expect(await Promise.all(rest)).toEqual([20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every request of a failed batch, and goes on with the next', async () => {
    let calls = 0;
    const batcher = new GroupBatcher<number, number>((inputs) => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('database down')) : Promise.resolve(inputs);
    });
    await expect(batcher.submit(1)).rejects.toThrow('database down');
    expect(await batcher.submit(2)).toBe(2);
  });
});
