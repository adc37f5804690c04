import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ReadableStream as WebReadableStream } from 'node:stream/web';
import { registerSecret } from '@aviary/observability';
import { type RegistryCredential } from '../../config/builder-config.js';
import { MEDIA } from './media-types.js';

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface FetchedManifest {
  body: Buffer;
  mediaType: string;
  digest: string;
}

/** A blob's content: in memory, or a stream opened when the upload starts. */
export type BlobBody = Buffer | (() => Promise<Readable>);

/**
 * PUT of a streamed body through node:http: it moves large blobs about twice as fast as fetch
 * with a streamed body, with backpressure from the socket.
 */
function putStream(
  url: URL,
  headers: Record<string, string>,
  source: Readable,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'PUT', headers },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body = (body + chunk).slice(-2000)));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
        );
        response.on('error', reject);
      },
    );
    pipeline(source, request).catch(reject);
  });
}

interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"` */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^(\w+)\s*(.*)$/.exec(header.trim());
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return undefined;
  const params: Record<string, string> = {};
  for (const part of match[2]!.matchAll(/(\w+)="([^"]*)"|(\w+)=([^,\s]*)/g)) {
    params[(part[1] ?? part[3])!.toLowerCase()] = part[2] ?? part[4] ?? '';
  }
  return { scheme, params };
}

const ACCEPT_MANIFESTS = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(
  ', ',
);

/**
 * The client side of the OCI Distribution API the builder needs: manifests and blobs in and out,
 * existence checks, cross-repository mounts. Authenticates as a registry asks: Basic with the
 * configured user and password, or the token flow (the registry's `WWW-Authenticate: Bearer realm`
 * challenge, a token fetched from the realm with those credentials, then `Authorization: Bearer`).
 * Plain HTTP for loopback and configured insecure registries, HTTPS for the rest.
 */
export class RegistryClient {
  private readonly authorizations = new Map<string, string>();
  /** Requests this client made, by method (the benchmark counts uploads with it). */
  readonly requests = { blobUploads: 0, blobMounts: 0, blobChecks: 0 };

  constructor(
    private readonly options: {
      credentials: Record<string, RegistryCredential>;
      insecure: string[];
    },
  ) {
    for (const credential of Object.values(options.credentials)) registerSecret(credential.password);
  }

  baseUrl(registry: string): string {
    const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
    const name = host.replace(/:\d+$/, '');
    const plain =
      name === 'localhost' ||
      name === '127.0.0.1' ||
      name === '[::1]' ||
      this.options.insecure.includes(host);
    return `${plain ? 'http' : 'https'}://${host}`;
  }

  async manifest(registry: string, repository: string, reference: string): Promise<FetchedManifest> {
    const response = await this.request(
      registry,
      [`repository:${repository}:pull`],
      `/v2/${repository}/manifests/${reference}`,
      {
        headers: { accept: ACCEPT_MANIFESTS },
      },
    );
    if (response.status === 404)
      throw new RegistryError(`image ${registry}/${repository}:${reference} not found`, 404);
    await this.expectOk(response, `reading the manifest of ${registry}/${repository}:${reference}`);
    const body = Buffer.from(await response.arrayBuffer());
    const mediaType =
      (response.headers.get('content-type') ?? '').split(';')[0]!.trim() ||
      (JSON.parse(body.toString()) as { mediaType?: string }).mediaType ||
      MEDIA.dockerManifest;
    return { body, mediaType, digest: `sha256:${createHash('sha256').update(body).digest('hex')}` };
  }

  /** The digest of a manifest by tag, or undefined when the tag does not exist. */
  async manifestDigest(registry: string, repository: string, reference: string): Promise<string | undefined> {
    const response = await this.request(
      registry,
      [`repository:${repository}:pull`],
      `/v2/${repository}/manifests/${reference}`,
      {
        method: 'HEAD',
        headers: { accept: ACCEPT_MANIFESTS },
      },
    );
    if (response.status === 404) return undefined;
    await this.expectOk(response, `checking ${registry}/${repository}:${reference}`);
    return response.headers.get('docker-content-digest') ?? undefined;
  }

  async blob(registry: string, repository: string, digest: string): Promise<Buffer> {
    const response = await this.request(
      registry,
      [`repository:${repository}:pull`],
      `/v2/${repository}/blobs/${digest}`,
    );
    await this.expectOk(response, `reading blob ${digest} of ${registry}/${repository}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async blobStream(registry: string, repository: string, digest: string): Promise<Readable> {
    const response = await this.request(
      registry,
      [`repository:${repository}:pull`],
      `/v2/${repository}/blobs/${digest}`,
    );
    await this.expectOk(response, `reading blob ${digest} of ${registry}/${repository}`);
    if (!response.body) throw new RegistryError(`blob ${digest} of ${registry}/${repository} has no body`);
    return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
  }

  async hasBlob(registry: string, repository: string, digest: string): Promise<boolean> {
    this.requests.blobChecks += 1;
    const response = await this.request(
      registry,
      [`repository:${repository}:pull,push`],
      `/v2/${repository}/blobs/${digest}`,
      {
        method: 'HEAD',
      },
    );
    if (response.status === 404) return false;
    await this.expectOk(response, `checking blob ${digest} in ${registry}/${repository}`);
    return true;
  }

  /** Asks the registry to link a blob it holds in `from` into `repository`; false when it would not. */
  async mountBlob(registry: string, repository: string, digest: string, from: string): Promise<boolean> {
    const query = new URLSearchParams({ mount: digest, from });
    const response = await this.request(
      registry,
      [`repository:${repository}:pull,push`, `repository:${from}:pull`],
      `/v2/${repository}/blobs/uploads/?${query.toString()}`,
      { method: 'POST', headers: { 'content-length': '0' } },
    );
    if (response.status === 201) {
      this.requests.blobMounts += 1;
      await response.arrayBuffer();
      return true;
    }
    // 202: the registry started an upload instead; cancel it, the caller uploads.
    if (response.status === 202) {
      const location = response.headers.get('location');
      await response.arrayBuffer();
      if (location)
        await this.request(
          registry,
          [`repository:${repository}:pull,push`],
          this.absolute(registry, location),
          {
            method: 'DELETE',
          },
        )
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
      return false;
    }
    await this.expectOk(response, `mounting ${digest} from ${from} into ${registry}/${repository}`);
    return false;
  }

  /** Uploads a blob in one request (POST for a session, then PUT with the digest). */
  async uploadBlob(
    registry: string,
    repository: string,
    digest: string,
    size: number,
    body: BlobBody,
  ): Promise<void> {
    const scope = [`repository:${repository}:pull,push`];
    const start = await this.request(registry, scope, `/v2/${repository}/blobs/uploads/`, {
      method: 'POST',
      headers: { 'content-length': '0' },
    });
    if (start.status !== 202) await this.expectOk(start, `starting an upload to ${registry}/${repository}`);
    await start.arrayBuffer();
    const location = start.headers.get('location');
    if (!location) throw new RegistryError(`${registry} started an upload without a Location`);
    const target = new URL(this.absolute(registry, location));
    target.searchParams.set('digest', digest);
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) };
    if (Buffer.isBuffer(body)) {
      const put = await this.request(registry, scope, target.toString(), { method: 'PUT', headers, body });
      await this.expectOk(put, `uploading ${digest} to ${registry}/${repository}`);
      await put.arrayBuffer();
    } else {
      // The POST above settled how to authenticate for this scope; a stream can be sent once only.
      const authorization = this.authorizations.get(`${registry} ${scope.join(' ')}`);
      const put = await putStream(
        target,
        { ...headers, ...(authorization ? { authorization } : {}) },
        await body(),
      ).catch((error: unknown) => {
        throw new RegistryError(
          `uploading ${digest} to ${registry}/${repository}: ${(error as Error).message}`,
          undefined,
          true,
        );
      });
      if (put.status < 200 || put.status >= 300)
        throw new RegistryError(
          `uploading ${digest} to ${registry}/${repository}: ${put.status} ${put.body.slice(0, 300)}`,
          put.status,
          put.status >= 500,
        );
    }
    this.requests.blobUploads += 1;
  }

  async putManifest(
    registry: string,
    repository: string,
    reference: string,
    body: Buffer,
    mediaType: string,
  ): Promise<string> {
    const response = await this.request(
      registry,
      [`repository:${repository}:pull,push`],
      `/v2/${repository}/manifests/${reference}`,
      {
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body,
      },
    );
    await this.expectOk(response, `pushing the manifest ${registry}/${repository}:${reference}`);
    await response.arrayBuffer();
    return (
      response.headers.get('docker-content-digest') ??
      `sha256:${createHash('sha256').update(body).digest('hex')}`
    );
  }

  private absolute(registry: string, location: string): string {
    return location.startsWith('http') ? location : `${this.baseUrl(registry)}${location}`;
  }

  /**
   * One request, authenticated: with what worked for this registry and scope before, else bare; on
   * a 401 the registry's challenge says how (Basic, or a token from its realm), and the request is
   * sent once more. A streamed body can be sent once only, so its first try goes authenticated.
   */
  private async request(
    registry: string,
    scopes: string[],
    path: string,
    init: RequestInit & { duplex?: 'half' } = {},
  ): Promise<Response> {
    const url = path.startsWith('http') ? path : `${this.baseUrl(registry)}${path}`;
    const key = `${registry} ${scopes.join(' ')}`;
    const send = (authorization: string | undefined) =>
      fetch(url, {
        ...init,
        redirect: 'follow',
        headers: { ...(init.headers as Record<string, string>), ...(authorization ? { authorization } : {}) },
      }).catch((error: unknown) => {
        throw new RegistryError(
          `cannot reach the registry ${registry}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`,
          undefined,
          true,
        );
      });
    let authorization = this.authorizations.get(key);
    const streamed = init.body !== undefined && !Buffer.isBuffer(init.body) && typeof init.body !== 'string';
    if (!authorization && streamed) authorization = await this.authorize(registry, scopes, key);
    const response = await send(authorization);
    if (response.status !== 401 || streamed) return response;
    const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
    await response.arrayBuffer();
    if (!challenge)
      throw new RegistryError(
        `${registry} refused the request (401) without saying how to authenticate`,
        401,
      );
    authorization = await this.answer(registry, scopes, challenge);
    this.authorizations.set(key, authorization);
    const again = await send(authorization);
    if (again.status === 401) {
      await again.arrayBuffer();
      throw new RegistryError(this.refusal(registry), 401);
    }
    return again;
  }

  /** Before a streamed upload: ask once without a body to learn the challenge. */
  private async authorize(registry: string, scopes: string[], key: string): Promise<string | undefined> {
    const probe = await fetch(`${this.baseUrl(registry)}/v2/`).catch(() => undefined);
    if (!probe || probe.status !== 401) {
      await probe?.arrayBuffer();
      return undefined;
    }
    const challenge = parseChallenge(probe.headers.get('www-authenticate') ?? '');
    await probe.arrayBuffer();
    if (!challenge) return undefined;
    const authorization = await this.answer(registry, scopes, challenge);
    this.authorizations.set(key, authorization);
    return authorization;
  }

  private async answer(registry: string, scopes: string[], challenge: Challenge): Promise<string> {
    const credential = this.options.credentials[registry];
    const basic = credential
      ? `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
      : undefined;
    if (basic) registerSecret(basic.slice(6));
    if (challenge.scheme === 'basic') {
      if (!basic) throw new RegistryError(this.refusal(registry), 401);
      return basic;
    }
    const realm = challenge.params['realm'];
    if (!realm) throw new RegistryError(`${registry} asked for a bearer token without a realm`, 401);
    const tokenUrl = new URL(realm);
    if (challenge.params['service']) tokenUrl.searchParams.set('service', challenge.params['service']);
    for (const scope of scopes) tokenUrl.searchParams.append('scope', scope);
    const response = await fetch(tokenUrl, { headers: basic ? { authorization: basic } : {} }).catch(
      (error: unknown) => {
        throw new RegistryError(
          `cannot reach the token service of ${registry} (${tokenUrl.origin}): ${(error as Error).message}`,
          undefined,
          true,
        );
      },
    );
    if (!response.ok) {
      await response.arrayBuffer();
      throw new RegistryError(
        `${this.refusal(registry)} (its token service answered ${response.status})`,
        response.status,
      );
    }
    const body = (await response.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`the token service of ${registry} answered without a token`);
    registerSecret(token);
    return `Bearer ${token}`;
  }

  private refusal(registry: string): string {
    return this.options.credentials[registry]
      ? `the registry ${registry} refused the builder's credentials: check BUILDER_REGISTRY_CREDENTIALS for ${registry}`
      : `the registry ${registry} needs credentials: add ${registry} to BUILDER_REGISTRY_CREDENTIALS`;
  }

  private async expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    if (response.status === 401 || response.status === 403)
      throw new RegistryError(`${what}: ${response.status} ${text.slice(0, 300)}`, response.status);
    throw new RegistryError(
      `${what}: ${response.status} ${text.slice(0, 300)}`,
      response.status,
      response.status >= 500,
    );
  }
}
