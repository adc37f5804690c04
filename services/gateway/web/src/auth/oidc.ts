/**
 * Sign-in through the gateway's OIDC issuer: authorization code with PKCE, as a public client (no
 * secret in the browser). The ID token (a JWT the gateway verifies against the issuer's keys) becomes
 * the bearer token.
 */
const PENDING = 'aviary.oidc.pending';

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

interface Pending {
  verifier: string;
  state: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  returnTo: string;
  remember: boolean;
}

function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider's discovery answered ${response.status}`);
  return (await response.json()) as Discovery;
}

/** Sends the browser to the issuer's sign-in page; it comes back to /sign-in with a code. */
export async function startOidcSignIn(
  oidc: { issuer: string; clientId: string; scopes: string },
  returnTo: string,
  remember: boolean,
): Promise<void> {
  const discovery = await discover(oidc.issuer);
  const verifier = randomText();
  const challenge = base64Url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  const redirectUri = `${location.origin}/sign-in`;
  const pending: Pending = {
    verifier,
    state: randomText(),
    tokenEndpoint: discovery.token_endpoint,
    clientId: oidc.clientId,
    redirectUri,
    returnTo,
    remember,
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: redirectUri,
    scope: oidc.scopes,
    state: pending.state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** On the way back from the issuer: the token for the code, and where the person was going. */
export async function finishOidcSignIn(
  search: string,
): Promise<{ token: string; returnTo: string; remember: boolean } | undefined> {
  const params = new URLSearchParams(search);
  const code = params.get('code');
  const raw = sessionStorage.getItem(PENDING);
  if (!code || !raw) return undefined;
  sessionStorage.removeItem(PENDING);
  const pending = JSON.parse(raw) as Pending;
  if (params.get('state') !== pending.state)
    throw new Error('the sign-in answer does not match the request (state)');
  const response = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new Error(`the identity provider refused the code (${response.status})`);
  const tokens = (await response.json()) as { id_token?: string; access_token?: string };
  const token = tokens.id_token ?? tokens.access_token;
  if (!token) throw new Error('the identity provider answered without a token');
  return { token, returnTo: pending.returnTo, remember: pending.remember };
}
