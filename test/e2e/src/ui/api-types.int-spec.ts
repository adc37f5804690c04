import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const web = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'services',
  'gateway',
  'web',
);

/** The UI's API types are the gateway's OpenAPI document as built now: a changed route shows here. */
describe("the web UI's API types", () => {
  it('match the OpenAPI document of the built gateway', async () => {
    const answer = await run(process.execPath, [join(web, 'scripts', 'api-types.js'), '--check'], {
      cwd: web,
    }).catch((error: { stdout?: string; stderr?: string }) => error);
    expect(`${answer.stdout ?? ''}${answer.stderr ?? ''}`).toContain(
      "the web UI's API types match the gateway's OpenAPI document",
    );
  }, 60_000);
});
