import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * The part of an OpenID Connect provider a browser sign-in uses: discovery, an authorize endpoint
 * that signs `user` in at once (redirecting back with a code), a token endpoint that checks the PKCE
 * verifier and answers an RS256 ID token, and the JWKS the gateway verifies it with.
 */
export async function startOidcProvider(options: {
  clientId: string;
  user: { sub: string; email: string; groups: string[] };
}): Promise<{ issuer: string; exchanges: () => number; close: () => Promise<void> }> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  let exchanges = 0;
  let issuer = '';
  const base64Url = (data: Buffer | string) => Buffer.from(data).toString('base64url');
  const idToken = () => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64Url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'test-key' }));
    const payload = base64Url(
      JSON.stringify({ iss: issuer, aud: options.clientId, iat: now, exp: now + 600, ...options.user }),
    );
    return `${header}.${payload}.${base64Url(sign('sha256', Buffer.from(`${header}.${payload}`), privateKey))}`;
  };
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    response.end(JSON.stringify(body));
  };
  const body = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return new URLSearchParams(Buffer.concat(chunks).toString());
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration')
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      });
    if (url.pathname === '/jwks') return json(response, 200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const params = url.searchParams;
      if (params.get('client_id') !== options.clientId || params.get('code_challenge_method') !== 'S256')
        return json(response, 400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, {
        challenge: params.get('code_challenge') ?? '',
        redirectUri: params.get('redirect_uri') ?? '',
      });
      const back = new URL(params.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      response.writeHead(302, { location: back.toString() });
      return response.end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      void body(request).then((form) => {
        const pending = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (
          !pending ||
          pending.redirectUri !== form.get('redirect_uri') ||
          base64Url(createHash('sha256').update(verifier).digest()) !== pending.challenge
        )
          return json(response, 400, { error: 'invalid_grant' });
        exchanges += 1;
        json(response, 200, { id_token: idToken(), access_token: 'opaque', token_type: 'Bearer' });
      });
      return;
    }
    json(response, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    issuer,
    exchanges: () => exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
