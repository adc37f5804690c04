import { StorageType } from '@nats-io/jetstream';
import { type ObjectInfo, type ObjectStore as NatsObjectStore, Objm } from '@nats-io/obj';
import {
  checkBucket,
  checkObjectName,
  chunksOf,
  collect,
  type ObjectContent,
  type ObjectStore,
  type StoredObject,
} from '../objects/object-store.js';
import { type BusSettings } from '../options.js';
import { type NatsConnector } from './connector.js';

/** NATS keeps `SHA-256=<base64url>`; the store's contract is `sha256:<hex>`. */
function digestOf(info: ObjectInfo): string {
  const encoded = info.digest.replace(/^SHA-256=/i, '');
  return `sha256:${Buffer.from(encoded, 'base64url').toString('hex')}`;
}

function toStored(info: ObjectInfo): StoredObject {
  return {
    name: info.name,
    size: info.size,
    digest: digestOf(info),
    modified: info.mtime,
    metadata: { ...info.metadata },
  };
}

/**
 * A bucket of the JetStream object store (stream `OBJ_<prefix>_<bucket>`), opened on the bus's
 * connection when first used and again after the connection is replaced.
 */
export class JetStreamObjectStore implements ObjectStore {
  private opened: { nc: unknown; store: Promise<NatsObjectStore> } | undefined;
  private readonly bucket: string;

  constructor(
    private readonly connector: NatsConnector,
    private readonly settings: BusSettings,
    bucket: string,
  ) {
    this.bucket = `${settings.streamPrefix}_${checkBucket(bucket)}`;
  }

  async put(
    name: string,
    content: ObjectContent,
    options: { metadata?: Record<string, string> } = {},
  ): Promise<StoredObject> {
    const store = await this.store();
    const meta = { name: checkObjectName(name), metadata: options.metadata };
    const info =
      content instanceof Uint8Array
        ? await store.putBlob(meta, content)
        : await store.put(meta, ReadableStream.from(chunksOf(content)));
    return toStored(info);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    const chunks = await this.read(name);
    return chunks && collect(chunks);
  }

  async read(name: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const result = await (await this.store()).get(name);
    if (!result) return undefined;
    const { data, error } = result;
    return (async function* () {
      for await (const chunk of data) yield chunk;
      // A corrupt or truncated object is reported after its last chunk (digest mismatch).
      const failure = await error;
      if (failure) throw failure;
    })();
  }

  async info(name: string): Promise<StoredObject | undefined> {
    const info = await (await this.store()).info(name);
    return info && !info.deleted ? toStored(info) : undefined;
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    const infos = await (await this.store()).list();
    return infos
      .filter((info) => !info.deleted && info.name.startsWith(prefix))
      .map(toStored)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(name: string): Promise<boolean> {
    const store = await this.store();
    const info = await store.info(name);
    if (!info || info.deleted) return false;
    await store.delete(name);
    return true;
  }

  private async store(): Promise<NatsObjectStore> {
    const { nc, js } = await this.connector.usable(this.settings.publishTimeoutMs);
    if (this.opened?.nc !== nc) {
      const store = new Objm(js).create(this.bucket, {
        storage: StorageType.File,
        ttl: this.settings.objectRetentionMs * 1_000_000,
      });
      this.opened = { nc, store };
      store.catch(() => {
        if (this.opened?.store === store) this.opened = undefined;
      });
    }
    return this.opened.store;
  }
}
