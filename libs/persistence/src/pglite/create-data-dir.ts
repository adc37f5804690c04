import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/** What the child runs: PGlite (given by path) creating the data directory, then closing it. */
const CREATE = `
const [pglite, uuidOssp, dataDir, conf] = process.argv.slice(1);
(async () => {
  const { PGlite } = require(pglite);
  const { uuid_ossp } = require(uuidOssp);
  const db = await PGlite.create({ dataDir, extensions: { uuid_ossp }, postgresqlconf: JSON.parse(conf) });
  await db.exec('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
  await db.close();
})().catch((error) => {
  process.stderr.write(String(error && error.message ? error.message : error));
  process.exit(1);
});
`;

/** Whether `dataDir` holds a database already (PostgreSQL writes PG_VERSION when it creates one). */
export function hasDatabase(dataDir: string): boolean {
  return existsSync(join(dataDir, 'PG_VERSION'));
}

/**
 * Creates a PGlite database in `dataDir` in a short-lived child process. initdb grows PGlite's WASM
 * memory well past what the database needs afterwards, and WASM memory never shrinks: done in the
 * process that then serves, about 80 MB more would stay resident for as long as it runs.
 */
export function createDataDir(dataDir: string, postgresqlconf: string[]): Promise<void> {
  const args = [
    '-e',
    CREATE,
    require.resolve('@electric-sql/pglite'),
    require.resolve('@electric-sql/pglite/contrib/uuid_ossp'),
    dataDir,
    JSON.stringify(postgresqlconf),
  ];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, (error, _stdout, stderr) => {
      if (error)
        reject(new Error(`could not create the database in ${dataDir}: ${stderr.trim() || error.message}`));
      else resolve();
    });
  });
}
