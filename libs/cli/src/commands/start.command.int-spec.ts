import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureIo } from '../testing/capture.js';
import { startStandalone } from './start.command.js';

// PGlite compiles PostgreSQL's WASM at start: seconds alone, much longer on a busy machine.
jest.setTimeout(180_000);

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const bin = join(root, 'node_modules', '.bin', 'aviary');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('aviary start', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('runs the standalone app as npm start does: the banner, the UI and API on PORT, data in AVIARY_DATA_DIR, SIGTERM stops it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aviary-cli-start-'));
    dirs.push(dataDir);
    const port = await freePort();
    const child = spawn(process.execPath, [bin, 'start'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        AVIARY_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 150_000;
      while (!stdout.includes('See it work:')) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`aviary start did not print its banner:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const token = (await readFile(join(dataDir, 'admin-token'), 'utf8')).trim();
      expect(stdout).toContain(`UI and API    http://localhost:${port}`);
      expect(stdout).toContain(token);
      const health = await fetch(`http://127.0.0.1:${port}/services`);
      expect(health.status).toBe(200);
      const applications = await fetch(`http://127.0.0.1:${port}/api/v1/applications`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(applications.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
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
