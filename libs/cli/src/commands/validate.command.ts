import { parsePipeline, formatErrors } from '@aviary/pipeline-spec';
import { type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { type CliIo } from '../cli-io.js';
import { EXIT, type CommandResult } from '../command-result.js';
import { renderPipeline } from './render-pipeline.js';

export interface ValidateOptions {
  json?: boolean;
}

/**
 * `aviary validate <file>`: exit 0 and the expanded pipeline, 1 and every error
 * (`file:line:column  path  message (hint)`), or 2 when the file cannot be read.
 */
export async function validate(file: string, options: ValidateOptions, io: CliIo): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    io.err(`aviary validate: cannot read ${file}: ${reason}\n`);
    return EXIT.unreadable;
  }
  const result = parsePipeline(text);
  if (!result.ok) {
    const count = result.errors.length;
    io.out(`${formatErrors(result.errors, file)}\n\n${count} error${count === 1 ? '' : 's'} in ${file}\n`);
    return EXIT.invalid;
  }
  io.out(
    options.json === true ? `${JSON.stringify(result.pipeline, null, 2)}\n` : renderPipeline(result.pipeline),
  );
  return EXIT.ok;
}

export function registerValidate(program: Command, io: CliIo, result: CommandResult): void {
  program
    .command('validate')
    .description('Check a pipeline file (.aviary/pipeline.yaml) and print the pipeline it expands to.')
    .argument('<file>', 'the pipeline file')
    .option('--json', 'print the resolved pipeline as JSON (what the orchestrator runs)')
    .action(async (file: string, options: ValidateOptions) => {
      result.exitCode = await validate(file, options, io);
    });
}
