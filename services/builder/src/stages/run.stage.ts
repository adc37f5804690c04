import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RunSettings } from '@aviary/pipeline-spec';
import { type ReportCollector } from '../artifacts/reports.js';
import { LineSplitter } from '../logs/line-splitter.js';
import { Masker } from '../logs/masker.js';
import { type LogStream } from '../logs/stage-log.js';
import { type StepExecutor } from '../steps/executor.js';
import { parseOutputFile } from '../steps/output-file.js';
import { StageFailure } from './stage-failure.js';
import { type StageWork } from './stage-runner.js';
import { type Workspaces } from './workspaces.js';

/** Where a step writes its outputs, inside the workspace so that a pod sees it too. */
export const RUN_DIR = '.aviary-run';

export interface RunStageOptions {
  hostEnv: Record<string, string>;
  secrets: Record<string, string>;
}

/**
 * `run`: a shell command in the execution's workspace, on the configured executor, with the stage's
 * environment and the builder's step secrets; its output streamed as the stage's log, its declared
 * outputs and reports read afterwards.
 */
export class RunStage {
  constructor(
    private readonly executor: StepExecutor,
    private readonly workspaces: Workspaces,
    private readonly reports: ReportCollector,
    private readonly options: RunStageOptions,
  ) {}

  async run({ command, log, signal, maskWith, progress }: StageWork): Promise<Record<string, unknown>> {
    const settings = RunSettings.parse(command.settings);
    const workspace = await this.workspaces.ensure(command, log, signal);
    const cwd = this.workspaces.inside(workspace, settings.workingDirectory, 'workingDirectory');
    const outputFile = join(
      workspace,
      RUN_DIR,
      `${encodeURIComponent(command.stageId)}-${command.attempt}.env`,
    );
    await mkdir(join(workspace, RUN_DIR), { recursive: true });
    await rm(outputFile, { force: true });
    const { trigger } = command;
    const env: Record<string, string> = {
      CI: 'true',
      AVIARY: 'true',
      AVIARY_EXECUTION_ID: command.executionId,
      AVIARY_STAGE_ID: command.stageId,
      AVIARY_ATTEMPT: String(command.attempt),
      AVIARY_APPLICATION: command.application,
      AVIARY_SHA: trigger.sha,
      ...(trigger.branch ? { AVIARY_BRANCH: trigger.branch } : {}),
      ...(trigger.tag ? { AVIARY_TAG: trigger.tag } : {}),
      AVIARY_WORKSPACE: workspace,
      AVIARY_OUTPUT: outputFile,
      ...settings.env,
      ...this.options.secrets,
    };
    maskWith(Masker.forEnvironment(env, Object.keys(this.options.secrets)));

    const splitters = new Map<LogStream, LineSplitter>();
    const splitterOf = (stream: LogStream) => {
      let splitter = splitters.get(stream);
      if (!splitter) {
        splitter = new LineSplitter((line) => log.write(stream, line));
        splitters.set(stream, splitter);
      }
      return splitter;
    };
    progress(`running ${settings.command.split('\n')[0]}`);
    log.system(`$ ${settings.command}`);
    const result = await this.executor.run({
      name: `${command.executionId}-${command.stageId}-${command.attempt}`,
      attempt: { executionId: command.executionId, stageId: command.stageId, attempt: command.attempt },
      command: settings.command,
      cwd,
      workspace,
      env,
      image: settings.image,
      sideCars: settings.containers,
      signal,
      output: (stream, chunk) => splitterOf(stream).push(chunk),
      note: (text) => log.system(text),
    });
    for (const splitter of splitters.values()) splitter.end();
    if (result.stopped) return {};

    const outputs: Record<string, unknown> = { exitCode: result.exitCode ?? -1 };
    const written = await readFile(outputFile, 'utf8').catch(() => '');
    const parsed = parseOutputFile(written, settings.outputs);
    Object.assign(outputs, parsed.outputs);
    if (parsed.ignored.length > 0)
      log.system(`ignored outputs not declared in the stage's outputs: ${parsed.ignored.join(', ')}`);

    const collected = await this.reports.collect(command, settings.reports, (path) =>
      this.workspaces.inside(cwd, path, 'report'),
    );
    for (const report of collected.stored) {
      outputs[`${report.kind}Report`] = report.url;
      log.system(`kept the ${report.kind} report (${report.size} bytes) as ${report.url}`);
    }
    if (result.exitCode !== 0) {
      const how =
        result.exitCode === null
          ? `was killed by ${result.signal ?? 'a signal'}`
          : `exited with code ${result.exitCode}`;
      // A command can fail once and pass the next time (a flaky test, a registry that hiccupped):
      // the stage's retries, if it has any, are for this.
      throw new StageFailure('exit-code', `the command ${how}`, { outputs, retryable: true });
    }
    const missingDeclared = settings.outputs.filter((name) => !(name in outputs));
    if (collected.missing.length > 0 || missingDeclared.length > 0) {
      const problems = [
        ...collected.missing.map(({ kind, path }) => `the ${kind} report ${path} was not written`),
        ...missingDeclared.map((name) => `the output ${name} was not written to $AVIARY_OUTPUT`),
      ];
      throw new StageFailure('missing-output', `the command succeeded but ${problems.join('; ')}`, {
        outputs,
      });
    }
    return outputs;
  }
}
