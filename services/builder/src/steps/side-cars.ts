import { createServer, connect } from 'node:net';
import { type SideCar } from './executor.js';
import { ProcessGroup } from './process-group.js';
import { LineSplitter } from '../logs/line-splitter.js';

export class SideCarError extends Error {}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.listen(0, '127.0.0.1', resolve).once('error', reject));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** `db:5432` in a value becomes `127.0.0.1:<the port db really got>`. */
export function rewriteAddresses(value: string, ports: Map<string, Map<number, number>>): string {
  let result = value;
  for (const [name, mapping] of ports)
    for (const [declared, actual] of mapping)
      result = result.replace(
        new RegExp(`(?<![\\w.-])${name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}:${declared}(?!\\d)`, 'g'),
        `127.0.0.1:${actual}`,
      );
  return result;
}

export interface RunningSideCars {
  /** The step's environment with the side-cars' addresses: `<NAME>_HOST`, `<NAME>_PORT`, rewritten values. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The local executor's side-cars: each is a command the pipeline names, started in its own process
 * group with free ports (`PORT`, and `PORT_<declared>` for each declared port), waited for until it
 * listens, and stopped after the step. The step reaches it at 127.0.0.1: `db:5432` in its
 * environment values is rewritten to the real address, and `DB_HOST` / `DB_PORT` are set.
 */
export async function startSideCars(
  sideCars: SideCar[],
  options: {
    env: Record<string, string>;
    hostEnv: Record<string, string>;
    cwd: string;
    killGraceMs: number;
    startTimeoutMs: number;
    signal: AbortSignal;
    note: (text: string) => void;
  },
): Promise<RunningSideCars> {
  const groups: ProcessGroup[] = [];
  const stop = async () => {
    await Promise.all(groups.map((group) => group.stop(options.killGraceMs)));
    await Promise.all(groups.map((group) => group.exited.catch(() => undefined)));
  };
  const ports = new Map<string, Map<number, number>>();
  const extra: Record<string, string> = {};
  try {
    for (const sideCar of sideCars) {
      if (!sideCar.command)
        throw new SideCarError(
          `side-car ${sideCar.name} has no command: the local executor runs side-cars as processes ` +
            '(give it a command), the kubernetes executor runs its image',
        );
      const mapping = new Map<number, number>();
      for (const declared of sideCar.ports) mapping.set(declared, await freePort());
      ports.set(sideCar.name, mapping);
      const portEnv: Record<string, string> = {};
      const [first] = mapping.values();
      if (first !== undefined) portEnv['PORT'] = String(first);
      for (const [declared, actual] of mapping) portEnv[`PORT_${declared}`] = String(actual);
      const group = new ProcessGroup(sideCar.command, {
        cwd: options.cwd,
        env: { ...options.hostEnv, ...sideCar.env, ...portEnv },
        killGraceMs: options.killGraceMs,
      });
      groups.push(group);
      const recent: string[] = [];
      const keep = new LineSplitter((line) => {
        recent.push(line);
        if (recent.length > 20) recent.shift();
      });
      group.child.stdout.on('data', (chunk: Buffer) => keep.push(chunk));
      group.child.stderr.on('data', (chunk: Buffer) => keep.push(chunk));
      let exited = false;
      void group.exited.then(
        () => (exited = true),
        () => (exited = true),
      );
      const deadline = Date.now() + options.startTimeoutMs;
      for (const actual of mapping.values()) {
        while (!(await accepts(actual))) {
          if (options.signal.aborted)
            throw new SideCarError(`stopped while side-car ${sideCar.name} was starting`);
          if (exited || Date.now() > deadline) {
            keep.end();
            const why = exited
              ? 'exited before it listened'
              : `did not listen within ${options.startTimeoutMs} ms`;
            throw new SideCarError(
              `side-car ${sideCar.name} ${why} on port ${actual}${recent.length ? `; its last output:\n${recent.join('\n')}` : ''}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const name = envName(sideCar.name);
      extra[`${name}_HOST`] = '127.0.0.1';
      if (first !== undefined) extra[`${name}_PORT`] = String(first);
      options.note(
        `side-car ${sideCar.name} is up${mapping.size ? ` (${[...mapping].map(([d, a]) => `${d} -> 127.0.0.1:${a}`).join(', ')})` : ''}`,
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const env = Object.fromEntries(
    Object.entries(options.env).map(([key, value]) => [key, rewriteAddresses(value, ports)]),
  );
  return { env: { ...env, ...extra }, stop };
}
