import { artifactObjectName, artifactUrl, type ObjectStore } from '@aviary/messaging';
import { z } from 'zod';
import { type ArtifactResolver, type LocalRun, type ResolvedArtifact } from './artifact-resolver.js';

/** `packages/<application>/<tag>`, as the builder names a version it packed. */
const PackageName = z.object({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) });

/** The tag of an image reference (`registry/repo:tag@sha256:...` -> `tag`), if it has one. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0]!;
  const lastPart = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastPart.indexOf(':');
  return colon > 0 ? lastPart.slice(colon + 1) : undefined;
}

/**
 * An image the builder pushed to a registry, run by the local provider from the package it also
 * packed (`BUILDER_LOCAL_PACKAGES=true`) under the same application and tag: the registry image
 * becomes `artifact://sha256:<hex>` for `packages`. A stage's `local.command`, an `artifact://`
 * image or an image with no such package go to `packages` unchanged.
 */
export class PushedImageResolver implements ArtifactResolver {
  constructor(
    private readonly store: ObjectStore,
    private readonly packages: ArtifactResolver,
  ) {}

  async resolve(image: string, run: LocalRun | undefined, application?: string): Promise<ResolvedArtifact> {
    const tag = imageTag(image);
    if (run || !application || !tag || artifactObjectName(image) !== undefined)
      return this.packages.resolve(image, run, application);
    const named = await this.store.get(`packages/${application}/${tag}`);
    if (!named) return this.packages.resolve(image, run, application);
    const { digest } = PackageName.parse(JSON.parse(Buffer.from(named).toString('utf8')));
    return this.packages.resolve(artifactUrl(digest), run, application);
  }
}
