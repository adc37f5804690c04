import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  checkBucket,
  checkObjectName,
  chunksOf,
  type ObjectContent,
  type ObjectStore,
  type StoredObject,
} from './object-store.js';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Objects as files in a folder (the standalone mode's artifact store). A file is named by the hash
 * of the object's name, so any name is safe on disk; its info sits beside it. Writes go to a
 * temporary file renamed into place, so a reader never sees half an object.
 */
export class FolderObjectStore implements ObjectStore {
  private readonly dir: string;

  constructor(root: string, bucket: string) {
    this.dir = join(root, checkBucket(bucket));
  }

  async put(
    name: string,
    content: ObjectContent,
    options: { metadata?: Record<string, string> } = {},
  ): Promise<StoredObject> {
    const base = this.base(checkObjectName(name));
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.${randomBytes(8).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        chunksOf(content),
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(temp),
      );
      const info: StoredObject = {
        name,
        size,
        digest: `sha256:${hash.digest('hex')}`,
        modified: new Date().toISOString(),
        metadata: { ...options.metadata },
      };
      await rename(temp, `${base}.data`);
      await writeFile(`${base}.json.tmp`, JSON.stringify(info));
      await rename(`${base}.json.tmp`, `${base}.json`);
      return info;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(`${this.base(name)}.data`);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async read(name: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    if (!(await this.info(name))) return undefined;
    return createReadStream(`${this.base(name)}.data`) as AsyncIterable<Uint8Array>;
  }

  async info(name: string): Promise<StoredObject | undefined> {
    try {
      return JSON.parse(await readFile(`${this.base(name)}.json`, 'utf8')) as StoredObject;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async list(prefix = ''): Promise<StoredObject[]> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const infos = await Promise.all(
      files
        .filter((file) => file.endsWith('.json'))
        .map(async (file) => {
          try {
            return JSON.parse(await readFile(join(this.dir, file), 'utf8')) as StoredObject;
          } catch (error) {
            if (isMissing(error)) return undefined;
            throw error;
          }
        }),
    );
    return infos
      .filter((info): info is StoredObject => info !== undefined && info.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async delete(name: string): Promise<boolean> {
    const existed = (await this.info(name)) !== undefined;
    await rm(`${this.base(name)}.json`, { force: true });
    await rm(`${this.base(name)}.data`, { force: true });
    return existed;
  }

  private base(name: string): string {
    return join(this.dir, createHash('sha256').update(name).digest('hex'));
  }
}
