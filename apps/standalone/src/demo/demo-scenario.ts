import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AviaryApi, type CanaryReportState, type ExecutionState } from './aviary-api.js';
import { watchExecution } from './execution-watch.js';
import { githubPush } from './github-push.js';
import { type DemoOutput, seconds, text } from './output.js';
import { type AnalysisTiming, type Commit, DEMO_ANALYSIS, SampleRepository } from './sample-repository.js';
import { Traffic, type TrafficStats } from './traffic.js';

export const APPLICATION = 'sample-app';

export interface DemoOptions {
  api: AviaryApi;
  /** examples/sample-app */
  sampleApp: string;
  /** PATH where git is found. */
  path: string | undefined;
  /** The UI's base URL, for links. */
  uiUrl: string;
  out: DemoOutput;
  analysis?: AnalysisTiming;
  /** Requests per second on the production address during each canary. */
  trafficPerSecond?: number;
  /** Longest wait for one execution. */
  executionTimeoutMs?: number;
}

export interface PushOutcome {
  title: string;
  commit: Commit;
  execution: ExecutionState;
  /** The canary analysis' report (the releases that had one). */
  canary?: CanaryReportState & { verdict?: string; score?: number };
  traffic?: TrafficStats;
  link: string;
}

export interface DemoResult {
  repository: string;
  pushes: PushOutcome[];
  durationMs: number;
}

/** The bad release: the same toggles the sample app's tests use, now its defaults, in code. */
const SLOW_AND_FAILING = (text: string) =>
  text
    .replace('slowMs: Number(process.env.SLOW_MS ?? 0)', 'slowMs: Number(process.env.SLOW_MS ?? 250)')
    .replace(
      'errorRate: Number(process.env.ERROR_RATE ?? 0)',
      'errorRate: Number(process.env.ERROR_RATE ?? 0.3)',
    );

/**
 * The whole job on examples/sample-app, for real: a git repository of it, the application
 * registered, and three pushes sent as signed GitHub webhooks. The first release goes straight to
 * production (there is nothing yet to compare a canary with); the second, a harmless change with
 * the canary turned on, is judged against the first under generated traffic and promoted; the
 * third makes the service slower and fail some requests, and its canary is judged FAIL and rolled
 * back.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const { api, out } = options;
  const analysis = options.analysis ?? DEMO_ANALYSIS;
  const repository = await SampleRepository.create(options.sampleApp, options.path);
  out.line(`Repository  ${repository.url} (a copy of examples/sample-app, branch main)`);
  const secret = randomBytes(24).toString('base64url');
  await register(api, repository.url, secret);
  out.line(`Application ${APPLICATION} registered, GitHub webhook at ${api.baseUrl}/webhooks/github`);

  const pushes: PushOutcome[] = [];
  let before = '0'.repeat(40);
  const push = async (title: string, explain: string, commit: Commit, expectCanary: boolean) => {
    out.line('');
    out.line(`${pushes.length + 1}/3 ${title}`);
    out.line(`    ${explain}`);
    out.line(`    push ${commit.sha.slice(0, 7)} "${commit.message}"`);
    await api.sendWebhook(
      githubPush({
        repositoryUrl: repository.url,
        fullName: `demo/${APPLICATION}`,
        branch: 'main',
        before,
        commit,
        pusher: 'ada',
        secret,
      }),
    );
    before = commit.sha;
    const executionId = await executionOf(api, commit.sha);
    const link = `${options.uiUrl}/executions/${executionId}`;
    out.line(`    execution ${executionId}  ${link}`);
    let traffic: Traffic | undefined;
    let stats: TrafficStats | undefined;
    try {
      const { execution, reports } = await watchExecution(api, executionId, out, {
        analysis,
        timeoutMs: options.executionTimeoutMs ?? 6 * 60_000,
        onPoll: async (state) => {
          const deployed = state.stages.find((s) => s.type === 'canary-deploy' && s.status === 'SUCCEEDED');
          const analysing = state.stages.find((s) => s.type === 'canary-analysis');
          const endpoint = deployed?.outputs['endpoint'];
          if (!traffic && typeof endpoint === 'string' && analysing && !isEnded(analysing.status)) {
            traffic = new Traffic(endpoint, { perSecond: options.trafficPerSecond ?? 30 });
            out.line(
              `    users: ${options.trafficPerSecond ?? 30} requests/s on ${endpoint} (production, baseline and canary share them)`,
            );
          }
          if (traffic && analysing && isEnded(analysing.status)) {
            stats = await traffic.close();
            traffic = undefined;
          }
        },
      });
      const analysisStage = execution.stages.find(
        (s) => s.type === 'canary-analysis' && s.status !== 'SKIPPED',
      );
      if (expectCanary && !analysisStage) throw new Error(`the canary analysis of ${commit.sha} did not run`);
      const report = analysisStage ? reports.get(analysisStage.stageId) : undefined;
      const outcome: PushOutcome = {
        title,
        commit,
        execution,
        link,
        ...(analysisStage
          ? {
              canary: {
                ...report,
                verdict: text(analysisStage.outputs['verdict'] ?? report?.verdict),
                score: Number(analysisStage.outputs['score'] ?? report?.score),
              },
            }
          : {}),
        ...(stats ? { traffic: stats } : {}),
      };
      out.line(
        `    => ${execution.status} in ${seconds(execution.durationMs)}${execution.reason ? `: ${execution.reason}` : ''}`,
      );
      pushes.push(outcome);
    } finally {
      if (traffic) await traffic.close();
    }
  };

  try {
    await repository.setPipeline({ canaryEnabled: false, analysis });
    await push(
      'First release',
      'Nothing runs in production yet, so there is no baseline to judge a canary against: this commit ' +
        'turns the canary off and goes straight to production (rolling).',
      await repository.commit('sample-app: first release'),
      false,
    );
    await repository.setPipeline({ canaryEnabled: true, analysis });
    await repository.edit('README.md', (text) => `${text}\nReleases go to production through a canary.\n`);
    await push(
      'A good change, released as a canary',
      'Baseline (the running version) and canary (this one) start beside production, users hit all ' +
        'three, and their metrics are judged interval by interval.',
      await repository.commit('sample-app: release through a canary from now on'),
      true,
    );
    await repository.edit('src/server.js', SLOW_AND_FAILING);
    await push(
      'A bad change: slower, and failing 30 % of the requests',
      'The same canary, on a version that answers 250 ms later and fails often: the analysis stops ' +
        'it at its first interval and production is rolled back.',
      await repository.commit('flags: defaults from the load-shedding experiment'),
      true,
    );
  } finally {
    await repository.remove();
  }
  return { repository: repository.url, pushes, durationMs: Date.now() - started };
}

function isEnded(status: string): boolean {
  return !['NOT_STARTED', 'RUNNING', 'PAUSED'].includes(status);
}

async function register(api: AviaryApi, repositoryUrl: string, webhookSecret: string): Promise<void> {
  if (await api.application(APPLICATION)) {
    // A demo run before this one registered it with its own (now deleted) repository.
    await api.updateApplication(APPLICATION, { repositoryUrl, webhookSecret });
    return;
  }
  await api.createApplication({
    name: APPLICATION,
    provider: 'github',
    repositoryUrl,
    defaultBranch: 'main',
    webhookSecret,
  });
}

/** The execution the push of `sha` started (it is created as the orchestrator reads the push). */
async function executionOf(api: AviaryApi, sha: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = (await api.executions(APPLICATION)).find((e) => e.sha === sha);
    if (found) return found.executionId;
    if (Date.now() > deadline) throw new Error(`no execution started for ${sha} within 60 s`);
    await sleep(300);
  }
}
