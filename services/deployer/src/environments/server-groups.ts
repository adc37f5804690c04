import { type EnvironmentView, type ServerGroup } from '@aviary/events';
import { imageVersion, trackName } from '../manifests/labels.js';
import { type Release } from '../release/release.js';
import { type ProductionState } from '../targets/deploy-target.js';

/** A release as stored: the release and when its row was written. */
export interface StoredRelease {
  release: Release;
  createdAt: Date;
  updatedAt: Date;
}

const PRODUCING: ReadonlySet<string> = new Set(['healthy', 'promoted']);

function group(
  name: string,
  role: ServerGroup['role'],
  image: string,
  replicas: number,
  health: ServerGroup['health'],
  from: StoredRelease | undefined,
): ServerGroup {
  return {
    name,
    role,
    image,
    version: imageVersion(image),
    replicas,
    health,
    ...(from
      ? {
          releaseId: from.release.id,
          executionId: from.release.executionId,
          deployedAt: from.updatedAt.toISOString(),
        }
      : {}),
  };
}

/** The older release that put `production` there (same image, reached healthy or promoted). */
function origin(older: StoredRelease[], production: ProductionState): StoredRelease | undefined {
  return older.find(
    ({ release }) =>
      release.image === production.image &&
      PRODUCING.has(release.state) &&
      (release.strategy !== 'canary' || release.state === 'promoted'),
  );
}

/** What runs in one environment, read from its releases (newest first). */
function serverGroups(newestFirst: StoredRelease[]): ServerGroup[] {
  const [last, ...older] = newestFirst;
  if (!last) return [];
  const r = last.release;
  const app = r.application;
  const previous = r.previous;
  const previousGroup = (health: ServerGroup['health']) =>
    previous
      ? [
          group(
            previous.deployment,
            'production',
            previous.image,
            previous.replicas,
            health,
            origin(older, previous),
          ),
        ]
      : [];
  const replicas = r.options.replicas ?? previous?.replicas ?? 1;
  const deployment = r.deployment ?? previous?.deployment ?? app;

  if (r.strategy === 'canary') {
    const sides = (health: ServerGroup['health']) => [
      group(
        trackName(app, 'baseline'),
        'baseline',
        r.options.baselineImage ?? previous?.image ?? r.image,
        r.options.baselineReplicas,
        health,
        last,
      ),
      group(trackName(app, 'canary'), 'canary', r.image, r.options.canaryReplicas, health, last),
    ];
    switch (r.state) {
      case 'requested':
      case 'deploying':
        return [...previousGroup('healthy'), ...sides('deploying')];
      case 'healthy':
        return [...previousGroup('healthy'), ...sides('healthy')];
      case 'promoting':
        return [
          group(
            previous?.deployment ?? app,
            'production',
            r.image,
            previous?.replicas ?? 1,
            'deploying',
            last,
          ),
          ...sides('retiring'),
        ];
      case 'promoted':
        return [
          group(previous?.deployment ?? app, 'production', r.image, previous?.replicas ?? 1, 'healthy', last),
        ];
      case 'rolling-back':
        return [...previousGroup('healthy'), ...sides('retiring')];
      default:
        return previousGroup('healthy');
    }
  }

  switch (r.state) {
    case 'requested':
    case 'deploying':
      // Rolling changes production in place; the others grow a second Deployment beside it.
      return r.strategy === 'rolling'
        ? [group(deployment, 'production', r.image, replicas, 'deploying', last)]
        : [
            ...previousGroup('healthy'),
            group(deployment, 'production', r.image, replicas, 'deploying', last),
          ];
    case 'healthy':
    case 'promoted':
      return [
        group(deployment, 'production', r.image, replicas, 'healthy', last),
        ...(r.retire && previous
          ? [group(r.retire.deployment, 'previous', previous.image, 0, 'retiring', origin(older, previous))]
          : []),
      ];
    case 'rolling-back':
      return previousGroup('deploying');
    default:
      return previousGroup('healthy');
  }
}

/**
 * Every environment of an application with its server groups, from the application's releases: the
 * newest release of each environment says what runs there (production, baseline and canary, a
 * previous version kept), older ones when it was deployed.
 */
export function environmentViews(releases: StoredRelease[]): EnvironmentView[] {
  const byEnvironment = new Map<string, StoredRelease[]>();
  for (const stored of [...releases].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())) {
    const list = byEnvironment.get(stored.release.environment) ?? [];
    list.push(stored);
    byEnvironment.set(stored.release.environment, list);
  }
  return [...byEnvironment.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([environment, newestFirst]) => {
      const last = newestFirst[0]!;
      const r = last.release;
      return {
        environment,
        namespace: r.namespace,
        serverGroups: serverGroups(newestFirst),
        lastRelease: {
          releaseId: r.id,
          executionId: r.executionId,
          stageId: r.stageId,
          strategy: r.strategy,
          state: r.state,
          image: r.image,
          ...(r.reason === undefined ? {} : { reason: r.reason }),
          changedAt: last.updatedAt.toISOString(),
        },
      };
    });
}
