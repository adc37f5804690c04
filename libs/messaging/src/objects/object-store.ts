/**
 * Named blobs beside the bus (logs, test reports, packaged builds): the JetStream object store in the
 * distributed mode, a folder (or memory) in the standalone mode. Every service of an installation
 * reads what another wrote, by bucket and name.
 */

export interface StoredObject {
  name: string;
  size: number;
  /** `sha256:<hex>` of the content. */
  digest: string;
  /** When it was written (ISO 8601). */
  modified: string;
  metadata: Record<string, string>;
}

export type ObjectContent = Uint8Array | AsyncIterable<Uint8Array>;

export interface ObjectStore {
  /** Stores (or replaces) an object; resolves once it is durable. */
  put(
    name: string,
    content: ObjectContent,
    options?: { metadata?: Record<string, string> },
  ): Promise<StoredObject>;
  /** The whole content, or undefined when there is no such object. */
  get(name: string): Promise<Uint8Array | undefined>;
  /** The content as a stream of chunks, for large objects; undefined when there is no such object. */
  read(name: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  info(name: string): Promise<StoredObject | undefined>;
  /** The objects whose name starts with `prefix`, sorted by name. */
  list(prefix?: string): Promise<StoredObject[]>;
  /** True when something was deleted. */
  delete(name: string): Promise<boolean>;
}

/** Bucket names: what JetStream accepts in an object store name, and safe as a folder name. */
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function checkBucket(bucket: string): string {
  if (!BUCKET.test(bucket))
    throw new Error(`invalid object bucket "${bucket}": letters, digits, "-" and "_"`);
  return bucket;
}

export function checkObjectName(name: string): string {
  if (name.length === 0 || name.length > 1024) throw new Error('an object name has 1 to 1024 characters');
  return name;
}

export async function* chunksOf(content: ObjectContent): AsyncIterable<Uint8Array> {
  if (content instanceof Uint8Array) yield content;
  else yield* content;
}

export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}
