import {
  type CanaryConfig,
  type CanaryJudgeResult,
  judge,
  pairsFromData,
  parseCanaryConfig,
  type Thresholds,
} from '@aviary/judge';
import { type Command } from 'commander';
import { type CliIo } from '../cli-io.js';
import { EXIT, type CommandResult } from '../command-result.js';
import { readJsonFile } from './read-json.js';

export interface JudgeOptions {
  config: string;
  data: string;
  thresholds?: string;
  json?: boolean;
}

/** Orca's defaults when neither --thresholds nor the config's classifier.scoreThresholds give any. */
const ORCA_THRESHOLDS: Thresholds = { pass: 75, marginal: 50 };

function thresholdsOf(option: string | undefined, config: CanaryConfig): Thresholds | string {
  if (option === undefined) return config.classifier?.scoreThresholds ?? ORCA_THRESHOLDS;
  const parts = option.split(',').map((part) => part.trim());
  const [pass, marginal] = parts.map(Number);
  if (parts.length !== 2 || !Number.isFinite(pass) || !Number.isFinite(marginal))
    return `--thresholds takes pass,marginal (e.g. 90,70), not "${option}"`;
  if (marginal! > pass!)
    return `--thresholds: the marginal threshold ${marginal} is above the pass threshold ${pass}`;
  return { pass: pass!, marginal: marginal! };
}

/** The verdict, then each metric with its explanation, then the groups: what a person reads. */
export function renderJudgment(result: CanaryJudgeResult, thresholds: Thresholds): string {
  const lines = [
    `${result.score.classification}: score ${result.score.score} (pass ${thresholds.pass}, marginal ${thresholds.marginal}), ${result.judgeName}`,
  ];
  if (result.score.classificationReason) lines.push(result.score.classificationReason);
  lines.push('');
  for (const r of result.results) {
    const tags = Object.entries(r.tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const flags = [r.critical ? 'critical' : '', r.muted ? 'muted' : ''].filter(Boolean).join(', ');
    lines.push(`  ${r.name}${tags ? `{${tags}}` : ''}: ${r.classification}${flags ? ` (${flags})` : ''}`);
    lines.push(`    ${r.explanation}`);
  }
  lines.push('');
  lines.push(
    `Groups: ${result.groupScores.map((g) => `${g.name} ${g.noData ? 'no data' : g.score.toFixed(2).replace(/\.00$/, '')} (weight ${g.weight})`).join(', ') || 'none'}`,
  );
  lines.push(result.score.explanation);
  return `${lines.join('\n')}\n`;
}

/**
 * `aviary judge --config canary-config.json --data data.json [--thresholds 90,70] [--json]`: exit 0
 * for Pass, 1 for Marginal or Fail, 2 for a bad input.
 */
export async function judgeFiles(options: JudgeOptions, io: CliIo): Promise<number> {
  const fail = (reason: string) => {
    io.err(`aviary judge: ${reason}\n`);
    return EXIT.unreadable;
  };
  const configFile = await readJsonFile(options.config);
  if (!configFile.ok) return fail(configFile.reason);
  const dataFile = await readJsonFile(options.data);
  if (!dataFile.ok) return fail(dataFile.reason);
  let result: CanaryJudgeResult;
  let thresholds: Thresholds;
  try {
    const config = parseCanaryConfig(configFile.json);
    const parsed = thresholdsOf(options.thresholds, config);
    if (typeof parsed === 'string') return fail(parsed);
    thresholds = parsed;
    result = judge(config, thresholds, pairsFromData(config, dataFile.json));
  } catch (error) {
    return fail(`${options.config}, ${options.data}: ${(error as Error).message}`);
  }
  io.out(options.json === true ? `${JSON.stringify(result, null, 2)}\n` : renderJudgment(result, thresholds));
  return result.score.classification === 'Pass' ? EXIT.ok : EXIT.invalid;
}

export function registerJudge(program: Command, io: CliIo, result: CommandResult): void {
  program
    .command('judge')
    .description(
      'Judge canary against baseline data with a Kayenta canary config (NetflixACAJudge-v1.0 or AviaryJudge-v1).',
    )
    .requiredOption('--config <file>', 'the canary config (Kayenta JSON)')
    .requiredOption(
      '--data <file>',
      'JSON: each metric name -> { "baseline": [...], "canary": [...] } or a list of { "tags", "baseline", "canary" }',
    )
    .option(
      '--thresholds <pass,marginal>',
      'score thresholds (default: the config’s scoreThresholds, else 75,50)',
    )
    .option('--json', 'print Kayenta’s result JSON (with explanations)')
    .action(async (options: JudgeOptions) => {
      result.exitCode = await judgeFiles(options, io);
    });
}
