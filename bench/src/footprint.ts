import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort, Platform, PLATFORM_SERVICES, type PlatformService } from '@aviary/test-support';
import { AviaryApi } from '@aviary/standalone/demo/aviary-api';
import { runDemo, type DemoResult } from '@aviary/standalone/demo/demo-scenario';
import { DEMO_ANALYSIS } from '@aviary/standalone/demo/sample-repository';
import { StandaloneProcess } from '@aviary/standalone/process';

/**
 * `npm run bench -- footprint`: the resident memory (RSS, from /proc) of Aviary's own processes,
 * idle and at their peak while the demo runs (`npm run demo`'s flow and analysis timing: three
 * pushes built, tested, deployed, two canaries judged under traffic), in standalone mode (one
 * process) and distributed mode (seven processes on NATS and PostgreSQL). Not counted: NATS and
 * PostgreSQL themselves, the sample app's instances the local provider starts, and the build tools
 * the builder runs (npm, eslint): they are the user's work, not Aviary's.
 * The distributed services run with the image's NODE_OPTIONS, or `--node-options=<flags>` to try others.
 * Peer figure: Spinnaker documents an 18 GB, 6-core minimum and its reference manifests reserve
 * 1 GiB of memory per service.
 */

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SAMPLE_APP = join(root, 'examples', 'sample-app');
const MB = 1024 * 1024;
const GOALS = { standaloneIdleMb: 300, standaloneDemoMb: 500, distributedMb: 1024 };
const SPINNAKER = { minimumGb: 18, perServiceMib: 1024 };
/** After a start, how long before idle is measured: startup garbage is collected by then. */
const SETTLE_MS = 20_000;

function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const mb = (bytes: number) => Math.round(bytes / MB);

/** Idle: the median of ten readings a second apart, after the settling time. */
async function idle(read: () => number): Promise<number> {
  await sleep(SETTLE_MS);
  const readings: number[] = [];
  for (let i = 0; i < 10; i++) {
    readings.push(read());
    await sleep(1_000);
  }
  return median(readings);
}

/** The highest reading of `read` every 200 ms while `work` runs. */
async function peakDuring<T, R extends Record<string, number>>(
  read: () => R,
  work: () => Promise<T>,
): Promise<{ result: T; peak: R }> {
  const peak: Record<string, number> = {};
  const sample = () => {
    for (const [key, value] of Object.entries(read())) peak[key] = Math.max(peak[key] ?? 0, value);
  };
  sample();
  const timer = setInterval(sample, 200);
  try {
    const result = await work();
    sample();
    return { result, peak: peak as R };
  } finally {
    clearInterval(timer);
  }
}

function demo(url: string, token: string): Promise<DemoResult> {
  return runDemo({
    api: new AviaryApi(url, token),
    sampleApp: SAMPLE_APP,
    path: process.env['PATH'],
    uiUrl: url,
    out: { line: () => undefined, status: () => undefined },
    analysis: DEMO_ANALYSIS,
  });
}

/** Pass then promote, fail then roll back: the demo did its whole job. */
function asExpected(result: DemoResult): boolean {
  const [first, good, bad] = result.pushes;
  return (
    first?.execution.status === 'SUCCEEDED' &&
    good?.execution.status === 'SUCCEEDED' &&
    good.canary?.verdict === 'pass' &&
    bad?.execution.status === 'FAILED' &&
    bad.canary?.verdict === 'fail'
  );
}

/** One standalone process on `dataDir` until `use` is done with it (then SIGTERM). */
async function withStandalone<T>(
  dataDir: string,
  use: (read: () => number, url: string) => Promise<T>,
): Promise<T> {
  const aviary = new StandaloneProcess(await freePort(), { ...process.env, AVIARY_DATA_DIR: dataDir });
  try {
    await aviary.started(180_000);
    return await use(() => rssOf(aviary.pid) ?? 0, aviary.url);
  } finally {
    await aviary.stop();
  }
}

/**
 * The first start (the database is created, by a child process that has exited by the time Aviary
 * answers), then a restart on the same data directory, as every later start is: idle, then the demo.
 */
async function standalone(work: string) {
  const dataDir = join(work, 'standalone');
  const first = await withStandalone(dataDir, async (read) => ({ start: read(), idle: await idle(read) }));
  const token = () => readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  return withStandalone(dataDir, async (read, url) => {
    const idleBytes = await idle(read);
    const { result, peak } = await peakDuring(
      () => ({ rss: read() }),
      () => demo(url, token()),
    );
    return { first, idleBytes, demoPeakBytes: peak.rss, result };
  });
}

/** What the services' image (Dockerfile) and `npm run start:distributed` run the services with. */
const IMAGE_NODE_OPTIONS = '--max-semi-space-size=1';

/** `nodeOptions`: NODE_OPTIONS of every service process (`--node-options=...`), to try V8 settings. */
async function distributed(work: string, nodeOptions: string) {
  const platform = await Platform.start({
    logLevel: 'warn',
    env: { NODE_OPTIONS: nodeOptions },
    serviceEnv: {
      builder: { BUILDER_WORK_DIR: join(work, 'builder') },
      deployer: {
        DEPLOYER_TARGETS: JSON.stringify({ '*': { kind: 'local' } }),
        DEPLOYER_LOCAL_ROOT: join(work, 'deployer'),
      },
    },
  });
  try {
    const read = () =>
      Object.fromEntries(
        PLATFORM_SERVICES.map((service) => [service, platform.replicasOf(service)[0]?.rss() ?? 0]),
      ) as Record<PlatformService, number>;
    const readWithTotal = () => {
      const each = read();
      return { ...each, total: Object.values(each).reduce((a, b) => a + b, 0) };
    };
    await sleep(SETTLE_MS);
    const idleReadings: Array<ReturnType<typeof readWithTotal>> = [];
    for (let i = 0; i < 10; i++) {
      idleReadings.push(readWithTotal());
      await sleep(1_000);
    }
    const idleOf = (key: PlatformService | 'total') => median(idleReadings.map((r) => r[key]));
    const { result, peak } = await peakDuring(readWithTotal, () =>
      demo(platform.gatewayUrl, platform.adminToken),
    );
    return { idleOf, peak, result };
  } catch (error) {
    throw new Error(`${String(error)}\n${platform.logs(4_000)}`, { cause: error });
  } finally {
    await platform.stop();
  }
}

export async function main(args: string[]): Promise<void> {
  const nodeOptions =
    args.find((a) => a.startsWith('--node-options='))?.slice('--node-options='.length) ?? IMAGE_NODE_OPTIONS;
  const work = mkdtempSync(join(tmpdir(), 'aviary-bench-footprint-'));
  try {
    const one = await standalone(work);
    const seven = await distributed(work, nodeOptions);
    const row = (name: string, idleMb: number | string, peakMb: number | string, note = '') =>
      console.log(
        `| ${name.padEnd(30)} | ${String(idleMb).padStart(7)} | ${String(peakMb).padStart(12)} | ${note.padEnd(44)} |`,
      );
    console.log(
      "footprint: resident memory (RSS) of Aviary's processes, idle and at their peak during the demo " +
        `(3 pushes, 2 canaries of ${DEMO_ANALYSIS.lifetime}; verdicts as expected: standalone ` +
        `${asExpected(one.result)}, distributed ${asExpected(seven.result)})` +
        `; the services with NODE_OPTIONS="${nodeOptions}"`,
    );
    console.log('');
    row('process', 'idle MB', 'demo peak MB', 'goal / peer');
    console.log(`| ${'-'.repeat(30)} | ------: | -----------: | ${'-'.repeat(44)} |`);
    row(
      'standalone, first start',
      mb(one.first.idle),
      '',
      `creates the database (at start: ${mb(one.first.start)})`,
    );
    row(
      'standalone, later starts',
      mb(one.idleBytes),
      mb(one.demoPeakBytes),
      `< ${GOALS.standaloneIdleMb} idle, < ${GOALS.standaloneDemoMb} demo`,
    );
    for (const service of PLATFORM_SERVICES)
      row(
        `distributed: ${service}`,
        mb(seven.idleOf(service)),
        mb(seven.peak[service]),
        `Spinnaker: ${SPINNAKER.perServiceMib} reserved`,
      );
    row(
      'distributed: all seven',
      mb(seven.idleOf('total')),
      mb(seven.peak.total),
      `< ${GOALS.distributedMb}; Spinnaker: ${SPINNAKER.minimumGb} GB minimum`,
    );
    console.log('');
    console.log(
      "Not counted: NATS, PostgreSQL, the sample app's instances and the build tools (npm, eslint).",
    );
    const figures = {
      standalone_idle_mb: mb(one.idleBytes),
      standalone_demo_peak_mb: mb(one.demoPeakBytes),
      standalone_first_start_idle_mb: mb(one.first.idle),
      standalone_first_start_mb: mb(one.first.start),
      distributed_idle_mb: Object.fromEntries(PLATFORM_SERVICES.map((s) => [s, mb(seven.idleOf(s))])),
      distributed_demo_peak_mb: Object.fromEntries(PLATFORM_SERVICES.map((s) => [s, mb(seven.peak[s])])),
      distributed_idle_total_mb: mb(seven.idleOf('total')),
      distributed_demo_peak_total_mb: mb(seven.peak.total),
      spinnaker_minimum_gb: SPINNAKER.minimumGb,
      spinnaker_reserved_per_service_mib: SPINNAKER.perServiceMib,
      demo_as_expected: asExpected(one.result) && asExpected(seven.result),
      distributed_node_options: nodeOptions,
    };
    console.log(
      JSON.stringify({
        bench: 'footprint',
        figures,
        goal: `standalone under ${GOALS.standaloneIdleMb} MB idle and ${GOALS.standaloneDemoMb} MB during the demo; the whole distributed platform under 1 GB (Spinnaker: ${SPINNAKER.minimumGb} GB minimum, 1 GiB reserved per service)`,
        met:
          one.first.idle < GOALS.standaloneIdleMb * MB &&
          one.idleBytes < GOALS.standaloneIdleMb * MB &&
          one.demoPeakBytes < GOALS.standaloneDemoMb * MB &&
          seven.peak.total < GOALS.distributedMb * MB,
      }),
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
