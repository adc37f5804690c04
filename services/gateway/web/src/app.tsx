import { type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, must, type Session, type SignInOptions } from './api/client.js';
import { finishOidcSignIn } from './auth/oidc.js';
import { SignInPage } from './auth/sign-in-page.js';
import { clearToken, readToken, storeToken } from './auth/token-store.js';
import { routePath, type Route } from './logic/routes.js';
import { ApplicationsPage } from './pages/applications-page.js';
import { EnvironmentsPage } from './pages/environments-page.js';
import { ExecutionPage } from './pages/execution-page.js';
import { ExecutionsPage } from './pages/executions-page.js';
import { ErrorBox, Loading } from './ui/feedback.js';
import { Link, navigate, useRoute } from './ui/router.js';
import { SessionContext } from './ui/session.js';
import { applyTheme, storedTheme, systemTheme, type Theme } from './ui/theme.js';

/** A page in its own chunk, fetched the first time it is shown (the charts stay out of first load). */
function lazyPage<P>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  return function LazyPage(props: P) {
    const [page, setPage] = useState(() => loaded);
    const [error, setError] = useState<Error>();
    useEffect(() => {
      if (!page) load().then((p) => setPage(() => (loaded = p)), setError);
    }, []);
    if (error) return <ErrorBox error={`This page could not be loaded: ${error.message}`} />;
    const Page = page;
    return Page ? <Page {...(props as P & object)} /> : <Loading what="the page" />;
  };
}

const CanaryPage = lazyPage(() => import('./pages/canary-page.js').then((m) => m.CanaryPage));
const QualityPage = lazyPage(() => import('./pages/quality-page.js').then((m) => m.QualityPage));

type Auth =
  | { state: 'checking' }
  | { state: 'signed-in'; session: Session }
  | { state: 'sign-in'; options: SignInOptions | undefined; problem?: string };

function Page(props: { route: Route }) {
  const { route } = props;
  switch (route.page) {
    case 'applications':
      return <ApplicationsPage />;
    case 'executions':
      return <ExecutionsPage application={route.application} />;
    case 'environments':
      return <EnvironmentsPage application={route.application} />;
    case 'execution':
      return <ExecutionPage executionId={route.executionId} stageId={route.stageId} />;
    case 'canary':
      return <CanaryPage executionId={route.executionId} stageId={route.stageId} />;
    case 'quality':
      return <QualityPage executionId={route.executionId} stageId={route.stageId} />;
    case 'sign-in':
      return <ApplicationsPage />;
    case 'not-found':
      return (
        <>
          <h1>Not found</h1>
          <p>
            Nothing here at <code>{route.path}</code>. <Link href="/">Back to the applications</Link>.
          </p>
        </>
      );
  }
}

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => storedTheme() ?? systemTheme());
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      class="ghost"
      aria-label={`Switch to the ${next} theme`}
      onClick={() => {
        applyTheme(next);
        setTheme(next);
      }}
    >
      <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span> {next === 'dark' ? 'Dark' : 'Light'}
    </button>
  );
}

export function App() {
  const route = useRoute();
  const [auth, setAuth] = useState<Auth>({ state: 'checking' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    const check = async () => {
      // Back from the OIDC issuer: the code becomes a token, and the page asked for comes back.
      let returnTo = '/';
      if (route.page === 'sign-in') {
        const returned = await finishOidcSignIn(location.search);
        if (returned) {
          storeToken(returned.token, returned.remember);
          returnTo = returned.returnTo;
        }
      }
      try {
        const session = await must(api.GET('/api/v1/session'));
        if (current) setAuth({ state: 'signed-in', session });
        if (route.page === 'sign-in') navigate(returnTo, true);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        const options = await must(api.GET('/api/v1/sign-in')).catch(() => undefined);
        if (current)
          setAuth({
            state: 'sign-in',
            options,
            ...(readToken() ? { problem: `Your token was refused: ${error.message}` } : {}),
          });
      }
    };
    check().catch((error: unknown) => {
      if (current)
        setAuth({
          state: 'sign-in',
          options: undefined,
          problem: `The gateway did not answer: ${(error as Error).message}`,
        });
    });
    return () => {
      current = false;
    };
  }, [attempt]);

  if (auth.state === 'checking') return <Loading what="Aviary" />;
  if (auth.state === 'sign-in')
    return (
      <SignInPage options={auth.options} problem={auth.problem} onSignedIn={() => setAttempt((n) => n + 1)} />
    );

  const { session } = auth;
  return (
    <SessionContext.Provider value={session}>
      <a class="skip-link" href="#main">
        Skip to the content
      </a>
      <header class="top-bar">
        <Link href={routePath({ page: 'applications' })} class="brand">
          <span aria-hidden="true">◆</span> Aviary
        </Link>
        <nav aria-label="Main">
          <Link href="/" aria-current={route.page === 'applications' ? 'page' : undefined}>
            Applications
          </Link>
        </nav>
        <div class="spacer" />
        <span class="who" title={`signed in by ${session.via}`}>
          {session.user} <span class="muted">({session.role})</span>
        </span>
        {session.via !== 'anonymous' && (
          <button
            type="button"
            class="ghost"
            onClick={() => {
              clearToken();
              setAttempt((n) => n + 1);
            }}
          >
            Sign out
          </button>
        )}
        {session.via === 'anonymous' && (
          <button
            type="button"
            class="ghost"
            onClick={() =>
              void must(api.GET('/api/v1/sign-in')).then(
                (options) => setAuth({ state: 'sign-in', options }),
                () => setAuth({ state: 'sign-in', options: undefined }),
              )
            }
          >
            Sign in
          </button>
        )}
        <ThemeToggle />
      </header>
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </SessionContext.Provider>
  );
}
