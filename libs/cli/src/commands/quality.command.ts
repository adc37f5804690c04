import {
  type ChangedLines,
  DEFAULT_GATE,
  evaluateQuality,
  GateDefinitionError,
  gateFromDefinition,
  parseUnifiedDiff,
  type QualityGate,
  readReports,
  renderResult,
  type ReportInput,
  type ReportKind,
} from '@aviary/quality-gate';
import { type Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type CliIo } from '../cli-io.js';
import { EXIT, type CommandResult } from '../command-result.js';

export interface QualityOptions {
  coverage?: string;
  coverageSummary?: string;
  cobertura?: string;
  eslint?: string;
  jscpd?: string;
  audit?: string;
  junit?: string;
  gate?: string;
  subProjects?: string;
  newCode?: string;
  json?: boolean;
}

/** Each report option and the kind of report it names (the names of a run stage's `reports:`). */
const REPORT_OPTIONS: [keyof QualityOptions, ReportKind][] = [
  ['coverage', 'coverage'],
  ['coverageSummary', 'coverageSummary'],
  ['cobertura', 'cobertura'],
  ['eslint', 'lint'],
  ['jscpd', 'duplication'],
  ['audit', 'audit'],
  ['junit', 'junit'],
];

class BadInput extends Error {}

async function readGate(file: string): Promise<QualityGate> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BadInput(
      `cannot read the gate ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
    );
  }
  try {
    return gateFromDefinition(parseYaml(text), basename(file).replace(/\.(ya?ml|json)$/, ''));
  } catch (error) {
    if (error instanceof GateDefinitionError || (error as Error).name === 'YAMLParseError')
      throw new BadInput(`${file}: ${(error as Error).message}`);
    throw error;
  }
}

/** The lines changed since `ref` in the repository of the current folder (staged and unstaged; untracked files are not). */
function changedSince(ref: string): ChangedLines {
  const result = spawnSync(
    'git',
    ['diff', '--unified=0', '--no-color', '--no-ext-diff', '--find-renames', ref, '--'],
    {
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    },
  );
  if (result.error) throw new BadInput(`--new-code: cannot run git: ${result.error.message}`);
  if (result.status !== 0)
    throw new BadInput(`--new-code ${ref}: ${result.stderr.trim() || `git diff exited ${result.status}`}`);
  return parseUnifiedDiff(result.stdout);
}

/**
 * `aviary quality --coverage coverage/lcov.info --eslint eslint.json ... [--gate gate.yaml]`: the
 * quality service's evaluation, offline. Exit 0 for OK or WARN, 1 for ERROR (a malformed report
 * fails the gate, "report unreadable", as in the service), 2 for bad input (a missing file, a bad
 * gate, no report at all).
 */
export async function qualityOfFiles(options: QualityOptions, io: CliIo): Promise<number> {
  try {
    const inputs: ReportInput[] = [];
    for (const [option, kind] of REPORT_OPTIONS) {
      const file = options[option];
      if (typeof file !== 'string') continue;
      const content = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        throw new BadInput(
          `cannot read ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
        );
      });
      inputs.push({ kind, file, content });
    }
    if (inputs.length === 0)
      throw new BadInput(
        'give at least one report: --coverage, --coverage-summary, --cobertura, --eslint, --jscpd, --audit or --junit',
      );
    let gate = options.gate ? await readGate(options.gate) : DEFAULT_GATE;
    if (options.subProjects)
      gate = {
        ...gate,
        subProjects: options.subProjects
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    const result = evaluateQuality(readReports(inputs), {
      gate,
      ...(options.newCode
        ? { changedLines: changedSince(options.newCode) }
        : { newCodeReason: 'give --new-code <git ref> to measure the lines changed since it' }),
    });
    io.out(options.json === true ? `${JSON.stringify(result, null, 2)}\n` : renderResult(result));
    return result.status === 'ERROR' ? EXIT.invalid : EXIT.ok;
  } catch (error) {
    if (!(error instanceof BadInput)) throw error;
    io.err(`aviary quality: ${error.message}\n`);
    return EXIT.unreadable;
  }
}

export function registerQuality(program: Command, io: CliIo, result: CommandResult): void {
  program
    .command('quality')
    .description(
      'Evaluate the quality gate on local reports, as the quality service does (exit 0 OK/WARN, 1 ERROR, 2 bad input).',
    )
    .option('--coverage <lcov>', 'LCOV coverage (coverage/lcov.info)')
    .option('--coverage-summary <json>', 'Istanbul coverage summary (coverage/coverage-summary.json)')
    .option('--cobertura <xml>', 'Cobertura XML coverage')
    .option('--eslint <json>', 'ESLint JSON report (eslint -f json -o eslint.json)')
    .option('--jscpd <json>', 'jscpd JSON report (jscpd --reporters json)')
    .option('--audit <json>', 'npm audit --json output')
    .option('--junit <xml>', 'JUnit XML test report')
    .option('--gate <file>', 'a gate file (YAML or JSON); default: the built-in team gate')
    .option('--sub-projects <globs>', 'folder globs gated on their own, comma-separated (api/v*)')
    .option('--new-code <ref>', 'measure new code: the lines changed since this git ref (e.g. origin/main)')
    .option('--json', 'print the full result as JSON')
    .action(async (options: QualityOptions) => {
      result.exitCode = await qualityOfFiles(options, io);
    });
}
