import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { type CliIo } from './cli-io.js';
import { EXIT, type CommandResult } from './command-result.js';
import { registerApplications, registerLogin } from './commands/gateway.commands.js';
import { registerCanary } from './commands/canary-promql.command.js';
import { registerJudge } from './commands/judge.command.js';
import { registerQuality } from './commands/quality.command.js';
import { registerStart } from './commands/start.command.js';
import { registerValidate } from './commands/validate.command.js';
import { credentialsSource, type CredentialsSource } from './config/credentials.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** The `aviary` program: one module per command under commands/, each registered here. */
export function createProgram(
  io: CliIo,
  result: CommandResult,
  credentials: CredentialsSource = credentialsSource(),
): Command {
  const program = new Command('aviary')
    .description('Aviary continuous delivery: pipelines as code, quality gates, canary analysis.')
    .version(version)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  registerValidate(program, io, result);
  registerJudge(program, io, result);
  registerCanary(program, io, result);
  registerQuality(program, io, result);
  registerLogin(program, io, result, credentials);
  registerApplications(program, io, result, credentials);
  registerStart(program, io, result);
  return program;
}

/** Runs the command line (arguments after `aviary`) and returns the exit code. */
export async function runCli(
  args: readonly string[],
  io: CliIo,
  credentials?: CredentialsSource,
): Promise<number> {
  const result: CommandResult = { exitCode: EXIT.ok };
  try {
    await createProgram(io, result, credentials).parseAsync([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
  return result.exitCode;
}
