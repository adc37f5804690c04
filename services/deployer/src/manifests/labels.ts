/** The labels every object of a release carries, and what metric queries and selectors use. */
export const TRACKS = ['stable', 'baseline', 'canary'] as const;
export type Track = (typeof TRACKS)[number];

export const LABEL_APP = 'app';
export const LABEL_TRACK = 'aviary.dev/track';
export const LABEL_VERSION = 'aviary.dev/version';
/** On baseline and canary pods: what the canary Service selects when traffic goes by ingress weight. */
export const LABEL_ANALYSIS = 'aviary.dev/analysis';
/** On Deployments: the release that last applied them. */
export const ANNOTATION_RELEASE = 'aviary.dev/release';

/**
 * Which version an image is: its tag (`registry/shop:1.4.2@sha256:...` is 1.4.2: the builder pushes
 * the commit's tag with its digest), else its digest, else `latest`.
 */
export function imageVersion(image: string): string {
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  const name = named.slice(named.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  if (colon >= 0) return name.slice(colon + 1);
  return at >= 0 ? image.slice(at + 1) : 'latest';
}

/**
 * A label value for an image: its version (a digest cut to its first 12 hex digits), cut to the 63
 * characters a label value may have, with anything a label value may not hold replaced by "-".
 */
export function versionOf(image: string): string {
  const version = imageVersion(image);
  const raw = version.startsWith('sha256:') ? version.slice(7, 19) : version;
  const cleaned = raw
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'unknown';
}

/** Name of a baseline or canary Deployment (`<app>-baseline`, `<app>-canary`), as metric queries select them. */
export function trackName(app: string, track: Exclude<Track, 'stable'>): string {
  return `${app}-${track}`;
}
