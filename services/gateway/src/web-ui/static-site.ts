import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt', '.webmanifest']);

/** Hashed file names never change content: a year, immutable. The page itself is always revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface StaticFile {
  body: Buffer;
  gzip: Buffer | undefined;
  type: string;
  etag: string;
  cacheControl: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * A built single-page app held in memory (it is small): each file with its type, ETag, caching and a
 * gzip copy; paths of the app's own pages answer with index.html.
 */
export class StaticSite {
  private constructor(private readonly files: Map<string, StaticFile>) {}

  /** The site in `dir`, or undefined when it has no index.html (the UI was not built). */
  static load(dir: string): StaticSite | undefined {
    if (!existsSync(join(dir, 'index.html'))) return undefined;
    const files = new Map<string, StaticFile>();
    for (const path of filesUnder(dir)) {
      const urlPath = `/${relative(dir, path).split(sep).join('/')}`;
      if (urlPath.startsWith('/.vite/')) continue;
      const body = readFileSync(path);
      const extension = extname(path);
      const gzip =
        COMPRESSIBLE.has(extension) && body.length > 512 ? gzipSync(body, { level: 9 }) : undefined;
      files.set(urlPath, {
        body,
        gzip,
        type: TYPES[extension] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      });
    }
    return new StaticSite(files);
  }

  get size(): number {
    return this.files.size;
  }

  /**
   * The file at `path`; for a page of the app (a path without a file extension, outside
   * `/assets/`) the app's index.html, which routes in the browser; undefined for a missing file.
   */
  lookup(path: string): StaticFile | undefined {
    const file = this.files.get(path);
    if (file) return file;
    if (path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(path)) return undefined;
    return this.files.get('/index.html');
  }
}
