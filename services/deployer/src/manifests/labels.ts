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
 * A label value for an image: its tag (or the start of its digest), cut to the 63 characters a label
 * value may have, with anything a label value may not hold replaced by "-".
 */
export function versionOf(image: string): string {
  const name = image.slice(image.lastIndexOf('/') + 1);
  const digest = name.indexOf('@');
  const raw =
    digest >= 0
      ? name
          .slice(digest + 1)
          .replace(/^sha256:/, '')
          .slice(0, 12)
      : name.includes(':')
        ? name.slice(name.lastIndexOf(':') + 1)
        : 'latest';
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
