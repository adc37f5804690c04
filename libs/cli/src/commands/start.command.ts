import { type Command } from 'commander';
import { type CliIo } from '../cli-io.js';
import { EXIT, type CommandResult } from '../command-result.js';

/**
 * The standalone app's entry point. Named at run time, not imported: the CLI's other commands work
 * without the seven services installed, and only `aviary start` needs them (a checkout of Aviary
 * after `npm ci && npm run build`, where the workspace links @aviary/standalone).
 */
export const STANDALONE_MAIN = '@aviary/standalone/main';

/**
 * `aviary start`: Aviary in one process, exactly as `npm start` runs it (the same module, the same
 * environment variables: PORT, AVIARY_DATA_DIR, LOG_LEVEL and every service's settings). It runs
 * until Ctrl-C or SIGTERM, which the standalone app handles.
 */
export async function startStandalone(
  io: CliIo,
  load: (specifier: string) => Promise<unknown> = (specifier) => import(specifier),
): Promise<number> {
  try {
    await load(STANDALONE_MAIN);
    return EXIT.ok;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      io.err(
        'aviary start: the standalone app (@aviary/standalone) is not installed or not built; ' +
          'run `npm ci && npm run build` in a checkout of Aviary, then `npx aviary start` there.\n',
      );
      return EXIT.unreadable;
    }
    throw error;
  }
}

export function registerStart(program: Command, io: CliIo, result: CommandResult): void {
  program
    .command('start')
    .description(
      'Run Aviary in one process (standalone: the seven services, an in-process bus, PGlite): the UI ' +
        'and API on http://localhost:8080 (PORT), data in ./.aviary (AVIARY_DATA_DIR). Same as npm start.',
    )
    .action(async () => {
      result.exitCode = await startStandalone(io);
    });
}
