import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { storedAdminToken } from '../data-dir.js';
import { AviaryApi } from './aviary-api.js';
import { demoEnvironment, loadDemoConfig } from './config/demo-config.js';
import { runDemo, type DemoResult } from './demo-scenario.js';
import { seconds, terminalOutput } from './output.js';

const out = terminalOutput(process.stdout);
const config = loadDemoConfig(demoEnvironment());
const dataDir = resolve(config.dataDir);
let instance: ChildProcess | undefined;

/** A standalone Aviary of this checkout, as `npm start` runs it, logging to the data directory. */
async function startInstance(): Promise<ChildProcess> {
  const url = new URL(config.url);
  if (!['localhost', '127.0.0.1'].includes(url.hostname))
    throw new Error(`nothing answers at ${config.url}, and the demo only starts Aviary on this machine`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const logFile = join(dataDir, 'standalone.log');
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [fileURLToPath(new URL('../main.js', import.meta.url))], {
    env: { ...config.env, PORT: url.port || '80', AVIARY_DATA_DIR: dataDir, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  out.line(`Nothing answered at ${config.url}: starting Aviary (standalone) here; its log: ${logFile}`);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`Aviary stopped at start (exit ${child.exitCode}); see ${logFile}`);
    try {
      const response = await fetch(`${config.url}/services`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.ok) return child;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`Aviary did not become ready within 3 minutes; see ${logFile}`);
    out.status(`  ⋯ starting Aviary (PGlite, migrations, seven services)`);
    await sleep(500);
  }
}

function summary(result: DemoResult): void {
  out.line('');
  out.line(`Summary: ${result.pushes.length} pushes in ${seconds(result.durationMs)}`);
  for (const [i, push] of result.pushes.entries()) {
    const promoted = push.execution.stages.find((s) => s.type === 'promote')?.status === 'SUCCEEDED';
    const rolledBack = push.execution.stages.find((s) => s.type === 'rollback')?.status === 'SUCCEEDED';
    const what = push.canary
      ? `canary ${push.canary.verdict?.toUpperCase()}, score ${push.canary.score} -> ${promoted ? 'promoted' : rolledBack ? 'rolled back' : 'neither promoted nor rolled back'}`
      : 'released to production';
    out.line(`  ${i + 1}. ${push.title.padEnd(52)} ${push.execution.status.padEnd(9)} ${what}`);
    out.line(`     ${push.link}`);
    if (push.traffic)
      out.line(
        `     users: ${push.traffic.sent} requests during the analysis, ${push.traffic.failed} answered 5xx or timed out`,
      );
  }
}

/** Pass then promote, fail then roll back: what the demo shows. */
function asExpected(result: DemoResult): boolean {
  const [first, good, bad] = result.pushes;
  const stage = (push: typeof first, type: string) =>
    push?.execution.stages.find((s) => s.type === type)?.status;
  return (
    first?.execution.status === 'SUCCEEDED' &&
    good?.canary?.verdict === 'pass' &&
    stage(good, 'promote') === 'SUCCEEDED' &&
    bad?.canary?.verdict === 'fail' &&
    stage(bad, 'rollback') === 'SUCCEEDED'
  );
}

try {
  out.line('Aviary demo: examples/sample-app, built, tested, gated, deployed and judged for real');
  if (!(await AviaryApi.answers(config.url))) instance = await startInstance();
  else out.line(`Aviary      ${config.url}`);
  const token = config.adminToken ?? (await storedAdminToken(dataDir));
  if (!token)
    throw new Error(
      `no admin token: set AVIARY_ADMIN_TOKEN (the one Aviary printed at its first start), or AVIARY_DATA_DIR to the data directory that holds it (looked in ${dataDir})`,
    );
  const result = await runDemo({
    api: new AviaryApi(config.url, token),
    sampleApp: config.sampleApp,
    path: config.path,
    uiUrl: config.url,
    out,
  });
  summary(result);
  const ok = asExpected(result);
  out.line(
    ok ? 'Both verdicts as expected.' : 'The verdicts are not what the demo expects: see the links above.',
  );
  process.exitCode = ok ? 0 : 1;
  if (instance && !config.exitWhenDone) {
    out.line('');
    out.line(
      `Aviary keeps running at ${config.url} so you can look around (admin token in ${dataDir}/admin-token).`,
    );
    out.line('Ctrl-C to stop it.');
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
  }
} catch (error) {
  out.line(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  if (instance && instance.exitCode === null) {
    const exited = new Promise((done) => instance!.once('exit', done));
    instance.kill('SIGTERM');
    await exited;
  }
}
