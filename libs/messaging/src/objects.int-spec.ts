import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderObjectStore } from './objects/folder-objects.js';
import { runObjectStoreSuite } from './testing/objects-suite.js';
import { inProcessTransport, inProcessTransportWith, jetStreamTransport } from './testing/transports.js';

runObjectStoreSuite(inProcessTransport);
runObjectStoreSuite(inProcessTransportWith({ objectsDir: mkdtempSync(join(tmpdir(), 'aviary-objects-')) }));
runObjectStoreSuite(jetStreamTransport());

describe('folder object store', () => {
  const root = mkdtempSync(join(tmpdir(), 'aviary-objects-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('keeps objects across store instances (a restarted standalone process finds them)', async () => {
    await new FolderObjectStore(root, 'artifacts').put('a/b', new TextEncoder().encode('kept'));
    const again = new FolderObjectStore(root, 'artifacts');
    expect(Buffer.from((await again.get('a/b'))!).toString()).toBe('kept');
    expect((await again.list()).map((o) => o.name)).toEqual(['a/b']);
  });
});
