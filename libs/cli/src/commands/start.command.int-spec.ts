import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StandaloneProcess } from '@aviary/standalone/process';
import { freePort } from '@aviary/test-support';
import { captureIo } from '../testing/capture.js';
import { startStandalone } from './start.command.js';

// PGlite compiles PostgreSQL's WASM at start: seconds alone, much longer on a busy machine.
jest.setTimeout(180_000);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = join(root, 'node_modules', '.bin', 'aviary');

describe('aviary start', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('runs the standalone app as npm start does: the banner, the UI and API on PORT, data in AVIARY_DATA_DIR, SIGTERM stops it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aviary-cli-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const aviary = new StandaloneProcess(
      port,
      { ...process.env, AVIARY_DATA_DIR: dataDir },
      { file: process.execPath, args: [bin, 'start'], cwd: root },
    );
    try {
      await aviary.started(150_000);
      const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
      expect(aviary.stdout).toContain(`UI and API    http://localhost:${port}`);
      expect(aviary.stdout).toContain(token);
      const health = await fetch(`http://127.0.0.1:${port}/services`);
      expect(health.status).toBe(200);
      const applications = await fetch(`http://127.0.0.1:${port}/api/v1/applications`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(applications.status).toBe(200);
    } finally {
      await aviary.stop();
    }
    expect((await aviary.exited).code).toBe(0);
    expect(aviary.stderr).toBe('');
  });

  it('says what to do when the standalone app is not there', async () => {
    const io = captureIo();
    const missing = Object.assign(new Error("Cannot find package '@aviary/standalone'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(await startStandalone(io, () => Promise.reject(missing))).toBe(2);
    expect(io.stderr).toContain('run `npm ci && npm run build` in a checkout of Aviary');
  });
});
