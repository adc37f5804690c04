/**
 * One key for every way a repository is written: `https://github.com/Acme/Orders.git`,
 * `git@github.com:acme/orders.git`, `ssh://git@github.com/acme/orders` and `github.com/acme/orders`
 * all become `github.com/acme/orders`. Undefined when the text is not a repository address.
 */
export function repositoryKey(address: string): string | undefined {
  const known = memo.get(address);
  if (known !== undefined || memo.has(address)) return known;
  const key = normalize(address);
  // Webhooks name the same few repositories over and over; URL parsing is not free.
  if (memo.size >= 10_000) memo.clear();
  memo.set(address, key);
  return key;
}

const memo = new Map<string, string | undefined>();

function normalize(address: string): string | undefined {
  let text = address.trim();
  if (!text) return undefined;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(text);
  let host: string;
  let path: string;
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `https://${text}`;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    // A repository on this machine (file:///srv/git/orders.git, the standalone mode's and the demo's)
    // has no host: `localhost` stands for it, as in file://localhost/srv/git/orders.git.
    host = url.hostname || (url.protocol === 'file:' ? 'localhost' : '');
    path = decodeURIComponent(url.pathname);
  }
  path = path.replace(/^\/+|\/+$/g, '').replace(/\.git$/i, '');
  if (!host || !path) return undefined;
  return `${host}/${path}`.toLowerCase();
}
