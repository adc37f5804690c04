import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { collect } from '../objects/object-store.js';
import { type TransportFactory, type TransportUnderTest } from './transports.js';

async function* pieces(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.byteLength; offset += size) {
    // A producer that yields between chunks, as a file or a network stream does.
    await new Promise((resolve) => setImmediate(resolve));
    yield data.subarray(offset, offset + size);
  }
}

/** The object store's contract, run on every transport: what one service writes another reads. */
export function runObjectStoreSuite(factory: TransportFactory): void {
  describe(`object store (${factory.name})`, () => {
    let transport: TransportUnderTest;

    beforeAll(async () => {
      transport = await factory.create();
    });
    afterAll(() => transport.dispose());

    it('stores a blob that another service reads back by name, with its size and sha256 digest', async () => {
      const writer = transport.bus('writer').client.objects('artifacts');
      const reader = transport.bus('reader').client.objects('artifacts');
      const content = new TextEncoder().encode('SF:src/app.js\nLH:10\nLF:12\nend_of_record\n');
      const stored = await writer.put('e1/test/1/coverage/lcov.info', content, {
        metadata: { kind: 'coverage' },
      });
      const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
      expect(stored).toMatchObject({
        name: 'e1/test/1/coverage/lcov.info',
        size: content.byteLength,
        digest,
      });

      expect(Buffer.from((await reader.get('e1/test/1/coverage/lcov.info'))!).toString()).toContain('LH:10');
      expect(await reader.info('e1/test/1/coverage/lcov.info')).toMatchObject({
        size: content.byteLength,
        digest,
        metadata: { kind: 'coverage' },
      });
      expect(await reader.get('e1/test/1/nothing')).toBeUndefined();
      expect(await reader.read('e1/test/1/nothing')).toBeUndefined();
      expect(await reader.info('e1/test/1/nothing')).toBeUndefined();
    });

    it('streams a large object in and out in chunks, intact', async () => {
      const store = transport.bus('big').client.objects('artifacts');
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const stored = await store.put('big/blob', pieces(data, 200_000));
      expect(stored.size).toBe(data.byteLength);
      expect(stored.digest).toBe(`sha256:${createHash('sha256').update(data).digest('hex')}`);
      const back = await collect((await store.read('big/blob'))!);
      expect(Buffer.compare(Buffer.from(back), data)).toBe(0);
    });

    it('replaces an object written again, lists by prefix in name order, and deletes', async () => {
      const store = transport.bus('lister').client.objects('logs');
      await store.put('x/2', new TextEncoder().encode('two'));
      await store.put('x/1', new TextEncoder().encode('one'));
      await store.put('y/1', new TextEncoder().encode('other'));
      await store.put('x/1', new TextEncoder().encode('one, again'));
      expect((await store.list('x/')).map((o) => [o.name, o.size])).toEqual([
        ['x/1', 10],
        ['x/2', 3],
      ]);
      expect(await store.delete('x/2')).toBe(true);
      expect(await store.delete('x/2')).toBe(false);
      expect((await store.list('x/')).map((o) => o.name)).toEqual(['x/1']);
      expect(Buffer.from((await store.get('x/1'))!).toString()).toBe('one, again');
      // Buckets are separate.
      expect(await transport.bus('lister2').client.objects('artifacts').get('x/1')).toBeUndefined();
    });

    it('refuses bucket names that are not one plain token', () => {
      expect(() => transport.bus('bad').client.objects('../etc')).toThrow(/invalid object bucket/);
    });
  });
}
