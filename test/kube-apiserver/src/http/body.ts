import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../api/errors.js';
import type { PatchType } from '../api/object-api.js';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/apply-patch+yaml': 'apply',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
};

export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export function patchTypeOf(request: IncomingMessage): PatchType {
  const type = PATCH_TYPES[mediaType(request)];
  if (!type) throw unsupportedMediaType(request.headers['content-type'] ?? '');
  return type;
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The request body as JSON (or YAML where Kubernetes accepts it); 415 for any other media type. */
export async function readBody(request: IncomingMessage, accepted: readonly string[]): Promise<unknown> {
  const type = mediaType(request);
  const text = await readText(request);
  if (text.trim() === '') return undefined;
  if (!accepted.includes(type)) throw unsupportedMediaType(request.headers['content-type'] ?? '');
  try {
    return type.includes('yaml') ? (parseYaml(text) as unknown) : (JSON.parse(text) as unknown);
  } catch (error) {
    throw badRequest(`the body of the request could not be decoded: ${(error as Error).message}`);
  }
}

export const OBJECT_MEDIA_TYPES = ['application/json', 'application/yaml'];
export const PATCH_MEDIA_TYPES = Object.keys(PATCH_TYPES);
