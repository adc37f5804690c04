import { api, must, type Application, type Environments, type ExecutionSummary } from '../api/client.js';
import { formatAgo, formatNumber, shortSha } from '../logic/format.js';
import { routePath } from '../logic/routes.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { Link } from '../ui/router.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useLoad } from '../ui/use-load.js';

interface Overview {
  application: Application;
  executions: ExecutionSummary[];
  environments: Environments['environments'];
  canary: { score: number | undefined; verdict: string; executionId: string; stageId: string } | undefined;
}

/** The newest canary analysis among the recent runs: its score and verdict, from its report. */
async function lastCanary(executions: ExecutionSummary[]): Promise<Overview['canary']> {
  for (const summary of executions.slice(0, 5)) {
    const { data } = await api.GET('/api/v1/executions/{executionId}', {
      params: { path: { executionId: summary.executionId } },
    });
    const stage = data?.stages.find((s) => s.type === 'canary-analysis' && s.attempt > 0);
    if (!stage) continue;
    const { data: report } = await api.GET(
      '/api/v1/executions/{executionId}/stages/{stageId}/canary-report',
      {
        params: { path: { executionId: summary.executionId, stageId: stage.stageId } },
      },
    );
    if (report)
      return {
        score: report.score,
        verdict: report.verdict,
        executionId: summary.executionId,
        stageId: stage.stageId,
      };
  }
  return undefined;
}

async function overview(application: Application): Promise<Overview> {
  const [list, environments] = await Promise.all([
    must(api.GET('/api/v1/executions', { params: { query: { application: application.name, limit: 5 } } })),
    // The deployer may have nothing for an application never deployed, or not answer: no versions then.
    api
      .GET('/api/v1/applications/{name}/environments', { params: { path: { name: application.name } } })
      .then(({ data }) => data?.environments ?? []),
  ]);
  return {
    application,
    executions: list.executions,
    environments,
    canary: await lastCanary(list.executions),
  };
}

function ApplicationCard(props: { item: Overview }) {
  const { application, executions, environments, canary } = props.item;
  const now = Date.now();
  return (
    <article class="panel" aria-labelledby={`app-${application.name}`}>
      <h2 id={`app-${application.name}`}>
        <Link href={routePath({ page: 'executions', application: application.name })}>
          {application.name}
        </Link>
      </h2>
      <h3 class="visually-hidden">Last executions</h3>
      {executions.length === 0 ? (
        <p class="muted">No executions yet.</p>
      ) : (
        <ul class="row" style={{ listStyle: 'none', padding: 0 }} aria-label="Last executions">
          {executions.map((e) => (
            <li key={e.executionId}>
              <Link href={routePath({ page: 'execution', executionId: e.executionId, stageId: undefined })}>
                <StatusBadge
                  status={e.status}
                  text={`${e.branch ?? shortSha(e.sha)} · ${formatAgo(e.createdAt, now)}`}
                />
              </Link>
            </li>
          ))}
        </ul>
      )}
      <dl class="facts">
        {environments.map((env) => {
          const production = env.serverGroups.find((g) => g.role === 'production') ?? env.serverGroups[0];
          return [
            <dt key={`${env.environment}-t`}>{env.environment}</dt>,
            <dd key={`${env.environment}-d`}>
              {production ? <code>{production.version}</code> : <span class="muted">nothing running</span>}
            </dd>,
          ];
        })}
        <dt>Last canary</dt>
        <dd>
          {canary ? (
            <Link
              href={routePath({ page: 'canary', executionId: canary.executionId, stageId: canary.stageId })}
            >
              <StatusBadge status={canary.verdict} text={`score ${formatNumber(canary.score)}`} />
            </Link>
          ) : (
            <span class="muted">none yet</span>
          )}
        </dd>
      </dl>
      <Link href={routePath({ page: 'environments', application: application.name })}>Environments</Link>
    </article>
  );
}

export function ApplicationsPage() {
  const loaded = useLoad(async () => {
    const { applications } = await must(api.GET('/api/v1/applications'));
    return Promise.all(applications.map(overview));
  }, 'applications');
  return (
    <>
      <h1>Applications</h1>
      {loaded.error && <ErrorBox error={loaded.error} />}
      {!loaded.data && !loaded.error && <Loading what="applications" />}
      {loaded.data?.length === 0 && (
        <p>
          No applications yet: register one with <code>POST /api/v1/applications</code> (see the README).
        </p>
      )}
      <div class="cards">
        {loaded.data?.map((item) => (
          <ApplicationCard key={item.application.name} item={item} />
        ))}
      </div>
    </>
  );
}
