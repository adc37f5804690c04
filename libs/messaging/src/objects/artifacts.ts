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
