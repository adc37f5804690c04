import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Header as TarHeaders } from 'tar-stream';

export interface LayerEntry {
  /** Path in the image, without a leading slash (`app/package.json`). */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** File on disk (files only). */
  source?: string;
  size?: number;
  executable?: boolean;
  linkname?: string;
}

export interface BuiltLayer {
  file: string;
  /** sha256 of the gzipped tar: the blob's digest. */
  digest: string;
  /** sha256 of the tar: the image config's diff_id. */
  diffId: string;
  size: number;
}

/** Every entry gets the same owner and time, so the same files always make the same layer digest. */
const EPOCH = new Date(0);
const SMALL_FILE = 1024 * 1024;

function hashing(hash: ReturnType<typeof createHash>, count?: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      if (count) count.bytes += chunk.byteLength;
      callback(null, chunk);
    },
  });
}

/** Passes the bytes on in chunks of at least `size` (but the last). */
function coalesced(size: number): Transform {
  let parts: Buffer[] = [];
  let length = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      parts.push(chunk);
      length += chunk.byteLength;
      if (length < size) return callback();
      const joined = Buffer.concat(parts, length);
      parts = [];
      length = 0;
      callback(null, joined);
    },
    flush(callback) {
      callback(null, length > 0 ? Buffer.concat(parts, length) : undefined);
    },
  });
}

/**
 * Writes a deterministic layer: entries sorted by path, parents before children, owner 0:0, mtime
 * 1970, modes 0644/0755, gzip without a timestamp. Returns its blob digest and diff id.
 */
export async function writeLayer(entries: LayerEntry[], file: string): Promise<BuiltLayer> {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const tar = tarPack();
  const diff = createHash('sha256');
  const blob = createHash('sha256');
  const size = { bytes: 0 };
  const written = pipeline(
    tar,
    // The tar comes as a header, a body and padding per file: thousands of small chunks, each of
    // which gzip would otherwise take to the thread pool on its own.
    coalesced(64 * 1024),
    hashing(diff),
    // Fastest compression, as go-containerregistry (ko, crane) does: layers are built on every push.
    createGzip({ level: 1 }),
    hashing(blob, size),
    createWriteStream(file),
  );
  // Entries are queued without waiting for each to be flushed (that wait per entry made a layer of a
  // few thousand small files take a second); the queue is drained whenever it holds much data.
  let pending: Array<Promise<void>> = [];
  let pendingBytes = 0;
  const drain = async () => {
    await Promise.all(pending);
    pending = [];
    pendingBytes = 0;
  };
  const add = (header: TarHeaders, content?: Buffer) => {
    pending.push(
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error | null) => (error ? reject(error) : resolve());
        if (content) tar.entry(header, content, done);
        else tar.entry(header, done);
      }),
    );
    pendingBytes += content?.byteLength ?? 0;
  };
  for (const entry of sorted) {
    const header: TarHeaders = {
      name: entry.type === 'directory' ? `${entry.path}/` : entry.path,
      type: entry.type,
      mode: entry.type === 'directory' || entry.executable ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      devmajor: 0,
      devminor: 0,
      mtime: EPOCH,
      size: entry.type === 'file' ? (entry.size ?? 0) : 0,
      linkname: entry.type === 'symlink' ? (entry.linkname ?? '') : '',
    };
    if (entry.type !== 'file' || !entry.source) {
      add(header);
    } else if ((entry.size ?? 0) <= SMALL_FILE) {
      // Synchronously: a layer is hundreds of small files, and four thread-pool round trips each
      // (open, stat, read, close) one after the other took most of a layer's time.
      const content = readFileSync(entry.source);
      add({ ...header, size: content.byteLength }, content);
    } else {
      await drain();
      await new Promise<void>((resolve, reject) => {
        const sink = tar.entry(header, (error) => (error ? reject(error) : resolve()));
        createReadStream(entry.source!).on('error', reject).pipe(sink);
      });
    }
    if (pendingBytes > 8 * 1024 * 1024) await drain();
  }
  await drain();
  tar.finalize();
  await written;
  return {
    file,
    digest: `sha256:${blob.digest('hex')}`,
    diffId: `sha256:${diff.digest('hex')}`,
    size: size.bytes,
  };
}

/** Folders that are never part of an image: version control and the builder's own step files. */
const NEVER = new Set(['.git', '.aviary-run']);

/**
 * The files under `root` as layer entries placed under `target` (the image's workdir), walking in
 * name order; `include(relativePath, isDirectory)` decides what goes in. The walk is synchronous:
 * node_modules is hundreds of entries, and a thread-pool round trip for each took tens of
 * milliseconds where the calls themselves take a few.
 */
export function collectEntries(
  root: string,
  target: string,
  include: (relativePath: string, isDirectory: boolean) => boolean,
): LayerEntry[] {
  const entries: LayerEntry[] = [];
  const base = target.replace(/^\/+|\/+$/g, '');
  function walk(relative: string): void {
    const names = readdirSync(join(root, relative)).sort();
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      if (!relative && NEVER.has(name)) continue;
      const info = lstatSync(join(root, rel));
      const isDirectory = info.isDirectory();
      if (!include(rel, isDirectory)) continue;
      const path = posix.join(base, rel);
      if (info.isSymbolicLink())
        entries.push({ path, type: 'symlink', linkname: readlinkSync(join(root, rel)) });
      else if (isDirectory) {
        entries.push({ path, type: 'directory' });
        walk(rel);
      } else if (info.isFile())
        entries.push({
          path,
          type: 'file',
          source: join(root, rel),
          size: info.size,
          executable: (info.mode & 0o111) !== 0,
        });
    }
  }
  walk('');
  return entries;
}

/** The directories above the workdir (`app` for `/app`), so the layer creates them with known modes. */
export function parentDirectories(target: string): LayerEntry[] {
  const parts = target
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter(Boolean);
  return parts.map((_, i) => ({ path: parts.slice(0, i + 1).join('/'), type: 'directory' as const }));
}

/**
 * Installed packages npm marked as development-only (`node_modules/.package-lock.json`), which the
 * dependency layer leaves out, as `npm ci --omit=dev` would have.
 */
export async function devPackages(root: string): Promise<Set<string>> {
  try {
    const lock = JSON.parse(await readFile(join(root, 'node_modules', '.package-lock.json'), 'utf8')) as {
      packages?: Record<string, { dev?: boolean }>;
    };
    return new Set(
      Object.entries(lock.packages ?? {})
        .filter(([path, info]) => path.startsWith('node_modules/') && info.dev === true)
        .map(([path]) => path),
    );
  } catch {
    return new Set();
  }
}
