import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';

export interface AuthProxy {
  /** `127.0.0.1:<port>`: push here instead of the registry. */
  host: string;
  /** Tokens the token service handed out. */
  tokensIssued: number;
  close(): Promise<void>;
}

/**
 * A registry that asks for credentials, in front of a real one: `bearer` answers 401 with a
 * `WWW-Authenticate: Bearer realm=...` challenge and runs the token service at /token (Basic
 * credentials in, a token out), as Docker Hub, Harbor and GitLab do; `basic` asks for Basic auth.
 */
export async function startAuthProxy(
  upstream: string,
  options: { mode: 'bearer' | 'basic'; username: string; password: string },
): Promise<AuthProxy> {
  const tokens = new Set<string>();
  const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  let host = '';
  const state = { tokensIssued: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    if (url.pathname === '/token') {
      if (req.headers.authorization !== basic) {
        res.writeHead(401).end('bad credentials');
        return;
      }
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      state.tokensIssued += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
      return;
    }
    const auth = req.headers.authorization ?? '';
    const allowed =
      options.mode === 'basic' ? auth === basic : auth.startsWith('Bearer ') && tokens.has(auth.slice(7));
    if (!allowed) {
      res
        .writeHead(401, {
          'www-authenticate':
            options.mode === 'basic'
              ? 'Basic realm="registry"'
              : `Bearer realm="http://${host}/token",service="test-registry"`,
          'content-type': 'application/json',
        })
        .end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const headers = { ...req.headers, host: upstream };
    delete headers.authorization;
    const forward = httpRequest(
      `http://${upstream}${req.url ?? '/'}`,
      { method: req.method, headers },
      (answer) => {
        const out = { ...answer.headers };
        if (typeof out.location === 'string')
          out.location = out.location.replace(`http://${upstream}`, `http://${host}`);
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  host = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    host,
    get tokensIssued() {
      return state.tokensIssued;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
