/** An image reference split the way the distribution API needs it. */
export interface ImageReference {
  /** Host (and port) of the registry: `registry.example.com`, `127.0.0.1:5000`, `docker.io`. */
  registry: string;
  /** Repository path inside the registry: `team/app`, `library/node`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = 'docker.io';

function looksLikeHost(part: string): boolean {
  return part.includes('.') || part.includes(':') || part === 'localhost';
}

/**
 * Parses `[registry/]repository[:tag][@digest]`. Without a registry, `defaultRegistry` is used (the
 * builder's own), else Docker Hub with its `library/` namespace.
 */
export function parseImageReference(text: string, defaultRegistry?: string): ImageReference {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`invalid digest in image reference "${text}"`);
  }
  const slash = rest.indexOf('/');
  let registry: string;
  if (slash > 0 && looksLikeHost(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  } else {
    registry = defaultRegistry ?? DOCKER_HUB;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(rest))
    throw new Error(
      `invalid repository "${rest}" in image reference "${text}" (lowercase letters, digits, . _ - and /)`,
    );
  if (tag !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag))
    throw new Error(`invalid tag "${tag}" in image reference "${text}"`);
  if (registry === DOCKER_HUB && !rest.includes('/')) rest = `library/${rest}`;
  return { registry, repository: rest, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** A registry given as `host[:port]` or a URL (`http://127.0.0.1:5000`): its host. */
export function registryHost(registry: string): string {
  return registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
}

export function formatReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
}

/** Tags must be valid: a branch like `feature/x` becomes `feature-x`. */
export function sanitizeTag(tag: string): string {
  const clean = tag
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  return clean.length > 0 ? clean : 'latest';
}
