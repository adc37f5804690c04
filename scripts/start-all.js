// `npm run start:distributed`: every service as its own process against the NATS and
// PostgreSQL named by NATS_URL and DATABASE_URL (local defaults), each line prefixed by its service.
// Creates the database if it does not exist yet; Ctrl-C drains and stops them all.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';

const SERVICES = ['gateway', 'orchestrator', 'builder', 'quality', 'deployer', 'canary', 'notifier'];
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/aviary';

async function ensureDatabase(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      console.log(`created database ${name}`);
    }
  } catch (error) {
    console.warn(`could not check database ${name} (${error.message}); the services will keep retrying`);
  } finally {
    await client.end().catch(() => {});
  }
}

await ensureDatabase(databaseUrl);
const width = Math.max(...SERVICES.map((s) => s.length));
const children = SERVICES.map((service) => {
  const child = spawn(process.execPath, [`services/${service}/dist/main.js`], {
    // Local development: the gateway may use its built-in key unless AVIARY_SECRET_KEY is set.
    // NODE_OPTIONS: the V8 setting of the services' image (see the Dockerfile).
    env: {
      LOG_FORMAT: 'pretty',
      AVIARY_ENV: 'development',
      NODE_OPTIONS: '--max-semi-space-size=1',
      ...process.env,
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      console.log(`${service.padEnd(width)} | ${line}`),
    );
  }
  child.on('exit', (code, signal) => console.log(`${service.padEnd(width)} | exited (${signal ?? code})`));
  return child;
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
  });
}
await Promise.all(children.map((child) => new Promise((resolve) => child.on('exit', resolve))));
