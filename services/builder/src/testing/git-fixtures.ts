import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const GIT_ENV = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A developer's repository and the bare "remote" it pushes to, both on disk. */
export class TestRepository {
  readonly work: string;
  readonly bare: string;

  constructor(
    readonly root = mkdtempSync(join(tmpdir(), 'aviary-repo-')),
    name = 'app',
  ) {
    this.work = join(root, 'work');
    this.bare = join(root, `${name}.git`);
    mkdirSync(this.work, { recursive: true });
    git(this.work, 'init', '--quiet', '-b', 'main');
    execFileSync('git', ['init', '--quiet', '--bare', this.bare], { env: GIT_ENV });
    git(this.bare, 'config', 'http.receivepack', 'true');
    git(this.work, 'remote', 'add', 'origin', this.bare);
  }

  get url(): string {
    return `file://${this.bare}`;
  }

  /** Writes the files, commits and pushes; returns the commit id. */
  commit(files: Record<string, string | Buffer>, message = 'change'): string {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.work, path)), { recursive: true });
      writeFileSync(join(this.work, path), content);
    }
    git(this.work, 'add', '--all');
    git(this.work, 'commit', '--quiet', '-m', message);
    git(this.work, 'push', '--quiet', '--force', 'origin', 'HEAD:main');
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /** Rewrites the last commit and force-pushes: the old commit is no longer reachable on the remote. */
  amendAndForcePush(files: Record<string, string>): string {
    for (const [path, content] of Object.entries(files)) writeFileSync(join(this.work, path), content);
    git(this.work, 'add', '--all');
    git(this.work, 'commit', '--quiet', '--amend', '-m', 'rewritten');
    git(this.work, 'push', '--quiet', '--force', 'origin', 'HEAD:main');
    git(this.bare, 'reflog', 'expire', '--expire=now', '--all');
    git(this.bare, 'gc', '--quiet', '--prune=now');
    return git(this.work, 'rev-parse', 'HEAD');
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>/` + the repository's folder name. */
  url(repositoryName: string): string;
  host: string;
  close(): Promise<void>;
}

/**
 * Serves the bare repositories under `root` over smart HTTP through `git http-backend` (the CGI
 * that ships with git), asking for Basic auth with `token` as the password when one is given.
 */
export async function serveGitOverHttp(
  root: string,
  options: { token?: string } = {},
): Promise<GitHttpServer> {
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (options.token !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Basic ')
        ? Buffer.from(header.slice(6), 'base64').toString().split(':').slice(1).join(':')
        : undefined;
      if (given !== options.token) {
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('unauthorized');
        return;
      }
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const cgi = spawn('/usr/lib/git-core/git-http-backend', [], {
      env: {
        ...GIT_ENV,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: request.method ?? 'GET',
        CONTENT_TYPE: request.headers['content-type'] ?? '',
        GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
        HTTP_CONTENT_ENCODING: String(request.headers['content-encoding'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    request.pipe(cgi.stdin);
    let head = Buffer.alloc(0);
    let sentHead = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (sentHead) {
        response.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      let status = 200;
      for (const line of head.subarray(0, end).toString().split('\r\n')) {
        const at = line.indexOf(':');
        const name = line.slice(0, at).trim();
        const value = line.slice(at + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else response.setHeader(name, value);
      }
      response.writeHead(status);
      sentHead = true;
      response.write(head.subarray(end + 4));
    });
    cgi.on('close', () => response.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
