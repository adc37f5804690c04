import picomatch from 'picomatch';
import { type Scope } from './compute.js';

/**
 * Splits the project by folder: each glob (`api/v*`) names sub-project folders, found anywhere in a
 * report's paths (tools write them relative or absolute), so `/ws/app/api/v2/src/a.js` belongs to
 * `api/v2`. A file in no sub-project counts only in the whole project.
 */
export class SubProjects {
  private readonly matchers: { match: (path: string) => boolean; depth: number }[];
  private readonly cache = new Map<string, string | null>();

  constructor(readonly globs: readonly string[]) {
    this.matchers = globs.map((glob) => {
      const clean = glob.replace(/^\.?\/+|\/+$/g, '');
      return { match: picomatch(clean, { dot: true }), depth: clean.split('/').length };
    });
  }

  /** The sub-project folder a file belongs to, or undefined. */
  of(path: string): string | undefined {
    let found = this.cache.get(path);
    if (found === undefined) {
      found = null;
      const folders = path.replace(/\\/g, '/').split('/').slice(0, -1);
      search: for (const { match, depth } of this.matchers)
        for (let i = 0; i + depth <= folders.length; i++) {
          const candidate = folders.slice(i, i + depth).join('/');
          if (candidate !== '' && match(candidate)) {
            found = candidate;
            break search;
          }
        }
      this.cache.set(path, found);
    }
    return found ?? undefined;
  }

  /** One scope per sub-project folder that some report names, sorted. */
  scopes(paths: Iterable<string>): Scope[] {
    const names = new Set<string>();
    for (const path of paths) {
      const name = this.of(path);
      if (name) names.add(name);
    }
    return [...names]
      .sort()
      .map((name) => ({ name, whole: false, includes: (path: string) => this.of(path) === name }));
  }
}
