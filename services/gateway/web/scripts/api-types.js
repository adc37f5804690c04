// The web UI's API types, generated from the gateway's OpenAPI document (the zod schemas of its
// routes): `npm run api-types -w @aviary/web` rewrites src/api/generated/openapi.ts; `--check` exits 1
// when the committed file differs (a test runs it). Starts the built gateway in this process on an
// in-process bus, with no database: the document needs neither.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayService } from '@aviary/gateway';
import { createInProcessBus, InProcessBroker } from '@aviary/messaging';
import { startService } from '@aviary/runtime';
import openapiTS, { astToString } from 'openapi-typescript';
import { pino } from 'pino';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'api', 'generated', 'openapi.ts');
const HEADER =
  "// Generated from the gateway's OpenAPI document by scripts/api-types.js: do not edit.\n" +
  '// `npm run build && npm run api-types -w @aviary/web` regenerates it.\n\n';

async function openApiDocument() {
  const logger = pino({ level: 'silent' });
  const bus = createInProcessBus(new InProcessBroker(), { service: 'gateway', logger });
  const service = await startService(createGatewayService({ adminTokenOutput: { write: () => undefined } }), {
    env: {
      AVIARY_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      // Never reached: the document is built from the routes alone.
      DATABASE_URL: 'postgres://aviary@127.0.0.1:1/none',
    },
    bus,
    logger,
  });
  try {
    const response = await fetch(`${service.url}/docs/json`);
    if (!response.ok) throw new Error(`/docs/json answered ${response.status}`);
    return await response.json();
  } finally {
    // Closing waits for the database it keeps retrying (there is none): the process exits below anyway.
    void service.close();
  }
}

const text = HEADER + astToString(await openapiTS(await openApiDocument(), { exportType: true }));
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // missing: drifted
  }
  if (committed !== text) {
    console.error(`${target} is out of date with the gateway's API: run npm run api-types -w @aviary/web`);
    process.exit(1);
  }
  console.log("the web UI's API types match the gateway's OpenAPI document");
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
process.exit(0);
