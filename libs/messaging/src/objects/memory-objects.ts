import { createHash } from 'node:crypto';
import {
  checkObjectName,
  chunksOf,
  collect,
  type ObjectContent,
  type ObjectStore,
  type StoredObject,
} from './object-store.js';

/** Objects in memory: the in-process bus's store when no folder is given (tests, throwaway runs). */
export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, { info: StoredObject; data: Uint8Array }>();

  async put(
    name: string,
    content: ObjectContent,
    options: { metadata?: Record<string, string> } = {},
  ): Promise<StoredObject> {
    const data = await collect(chunksOf(content));
    const info: StoredObject = {
      name: checkObjectName(name),
      size: data.byteLength,
      digest: `sha256:${createHash('sha256').update(data).digest('hex')}`,
      modified: new Date().toISOString(),
      metadata: { ...options.metadata },
    };
    this.objects.set(name, { info, data });
    return info;
  }

  get(name: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.objects.get(name)?.data);
  }

  async read(name: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const data = await this.get(name);
    return data && chunksOf(data);
  }

  info(name: string): Promise<StoredObject | undefined> {
    return Promise.resolve(this.objects.get(name)?.info);
  }

  list(prefix = ''): Promise<StoredObject[]> {
    return Promise.resolve(
      [...this.objects.values()]
        .map((entry) => entry.info)
        .filter((info) => info.name.startsWith(prefix))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    );
  }

  delete(name: string): Promise<boolean> {
    return Promise.resolve(this.objects.delete(name));
  }
}
