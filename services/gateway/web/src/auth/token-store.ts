/**
 * Where the browser keeps its bearer token: this tab only (sessionStorage) unless the person chose
 * to stay signed in on this device (localStorage).
 */
const KEY = 'aviary.token';

function storages(): Storage[] {
  try {
    return [globalThis.sessionStorage, globalThis.localStorage].filter((s): s is Storage => !!s);
  } catch {
    // storage disabled (private mode with a strict policy): no token survives a reload
    return [];
  }
}

export function readToken(): string | undefined {
  for (const storage of storages()) {
    const token = storage.getItem(KEY);
    if (token) return token;
  }
  return undefined;
}

export function storeToken(token: string, remember: boolean): void {
  clearToken();
  const [session, local] = storages();
  (remember ? local : session)?.setItem(KEY, token);
}

export function clearToken(): void {
  for (const storage of storages()) storage.removeItem(KEY);
}
