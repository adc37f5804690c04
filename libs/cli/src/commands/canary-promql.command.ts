import { buildPrometheusQueries, parseCanaryConfig } from '@aviary/judge';
import { type Command } from 'commander';
import { type CliIo } from '../cli-io.js';
import { EXIT, type CommandResult } from '../command-result.js';
import { readJsonFile } from './read-json.js';

export interface PromqlOptions {
  config: string;
  metric: string;
  scope?: string;
  location?: string;
  project?: string;
  step: string;
  param: string[];
}

/** `aviary canary promql`: the exact PromQL the canary service would send for one metric and scope. */
export async function printPromql(options: PromqlOptions, io: CliIo): Promise<number> {
  const fail = (reason: string) => {
    io.err(`aviary canary promql: ${reason}\n`);
    return EXIT.unreadable;
  };
  const file = await readJsonFile(options.config);
  if (!file.ok) return fail(file.reason);
  const step = Number(options.step);
  if (!Number.isFinite(step) || step <= 0) return fail(`--step takes seconds, not "${options.step}"`);
  const extendedScopeParams: Record<string, string> = {};
  for (const param of options.param) {
    const at = param.indexOf('=');
    if (at <= 0) return fail(`--param takes key=value, not "${param}"`);
    extendedScopeParams[param.slice(0, at)] = param.slice(at + 1);
  }
  try {
    const queries = buildPrometheusQueries(parseCanaryConfig(file.json), options.metric, {
      step,
      extendedScopeParams,
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.location ? { location: options.location } : {}),
      ...(options.project ? { project: options.project } : {}),
    });
    io.out(
      'query' in queries
        ? `${queries.query}\n`
        : `numerator: ${queries.numerator}\ndenominator: ${queries.denominator}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    return fail((error as Error).message);
  }
}

export function registerCanary(program: Command, io: CliIo, result: CommandResult): void {
  const canary = program.command('canary').description('Canary analysis helpers.');
  canary
    .command('promql')
    .description('Print the PromQL a metric of a canary config sends for a scope (as Kayenta builds it).')
    .requiredOption('--config <file>', 'the canary config (Kayenta JSON)')
    .requiredOption('--metric <name>', 'the metric’s name in the config')
    .option('--scope <scope>', 'the scope (e.g. payments-canary)')
    .option('--location <location>', 'the location (e.g. the namespace)')
    .option('--project <project>', 'the project (gce_instance)')
    .option('--step <seconds>', 'the step of the range query (ratio metrics count per step)', '60')
    .option(
      '--param <key=value>',
      'an extended scope parameter (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (options: PromqlOptions) => {
      result.exitCode = await printPromql(options, io);
    });
}
