import { useState } from 'preact/hooks';
import { type SignInOptions } from '../api/client.js';
import { startOidcSignIn } from './oidc.js';
import { storeToken } from './token-store.js';

/** Asks for an API token, or sends the person to the OIDC issuer when the gateway has one. */
export function SignInPage(props: {
  options: SignInOptions | undefined;
  problem?: string;
  onSignedIn: () => void;
}) {
  const [token, setToken] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const oidc = props.options?.oidc;
  return (
    <main id="main" class="sign-in">
      <h1>Sign in to Aviary</h1>
      {props.problem && (
        <p role="alert" class="error-box">
          {props.problem}
        </p>
      )}
      {oidc && (
        <section aria-labelledby="oidc-title">
          <h2 id="oidc-title">With your organisation's account</h2>
          <button
            type="button"
            class="primary"
            onClick={() =>
              void startOidcSignIn(
                oidc,
                location.pathname === '/sign-in' ? '/' : location.pathname + location.search,
                remember,
              ).catch((e: unknown) => setError((e as Error).message))
            }
          >
            Sign in with {new URL(oidc.issuer).host}
          </button>
        </section>
      )}
      <form
        aria-labelledby="token-title"
        onSubmit={(event) => {
          event.preventDefault();
          if (!token.trim()) return setError('Paste an API token first.');
          storeToken(token.trim(), remember);
          props.onSignedIn();
        }}
      >
        <h2 id="token-title">With an API token</h2>
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-describedby="token-help"
        />
        <p id="token-help" class="muted">
          An admin creates tokens with <code>POST /api/v1/tokens</code>.
        </p>
        <label class="inline">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />{' '}
          Stay signed in on this device
        </label>
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
      {error && (
        <p role="alert" class="error-box">
          {error}
        </p>
      )}
    </main>
  );
}
