import { z } from 'zod';

/**
 * Artifacts (test reports, packaged builds) are objects of the `artifacts` bucket, named in stage
 * outputs by `artifact://<object name>`: `artifact://<execution>/<stage>/<attempt>/<kind>/<file>` for a
 * report, `artifact://sha256:<hex>` for a packaged build. A reader (the quality service, the
 * deployer's local provider) turns the URL back into the name and reads the bucket.
 */
export const ARTIFACTS_BUCKET = 'artifacts';
const SCHEME = 'artifact://';

export function artifactUrl(objectName: string): string {
  return `${SCHEME}${objectName}`;
}

/** The object name an `artifact://` URL refers to, or undefined for anything else. */
export function artifactObjectName(url: string): string | undefined {
  return url.startsWith(SCHEME) && url.length > SCHEME.length ? url.slice(SCHEME.length) : undefined;
}

/** One layer of a package: a gzipped tar in the artifacts bucket, named by its digest. */
export const PackageLayer = z.object({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex digits>'),
  size: z.int().min(0),
});

/**
 * A packaged build (`artifact://sha256:<hex>` names this JSON document): how the local deploy
 * provider runs it and the layers it is made of, the image's own application layers (dependencies,
 * then source) with their files under `workdir`. Layers are shared between packages: a build whose
 * dependencies did not change stores and unpacks only its source layer.
 */
export const PackageManifest = z.object({
  format: z.literal('aviary-package/v2'),
  application: z.string().min(1),
  tag: z.string().min(1),
  entrypoint: z.array(z.string().min(1)).min(1),
  env: z.record(z.string(), z.string()).default({}),
  labels: z.record(z.string(), z.string()).default({}),
  /** The folder the layers' files sit under (`/app`): the package's root. */
  workdir: z.string().regex(/^\/[^\0]*$/, 'an absolute path'),
  layers: z.array(PackageLayer).min(1),
});
export type PackageManifest = z.infer<typeof PackageManifest>;
