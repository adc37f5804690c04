import { useEffect, useRef, useState } from 'preact/hooks';
import {
  api,
  must,
  type ExecutionDetail,
  type ExecutionStatus,
  type ExecutionSummary,
} from '../api/client.js';
import { useEvents } from '../live/use-events.js';
import { formatAgo, formatDuration, shortSha } from '../logic/format.js';
import { routePath } from '../logic/routes.js';
import { averageRunMs, buildStageView, type StageCell } from '../logic/stage-view.js';
import { statusLook } from '../logic/status.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { Link } from '../ui/router.js';
import { StatusBadge } from '../ui/status-badge.js';

const STATUSES: ExecutionStatus[] = [
  'RUNNING',
  'PAUSED',
  'SUCCEEDED',
  'FAILED',
  'CANCELED',
  'TERMINAL',
  'NOT_STARTED',
];

type Run = ExecutionSummary & { stages?: ExecutionDetail['stages'] | undefined };

function Cell(props: { cell: StageCell | undefined; stageName: string }) {
  if (!props.cell) return <td class="cell" />;
  const look = statusLook(props.cell.status);
  return (
    <td class="cell">
      <span
        class={`cell-inner tone-${look.tone}${props.cell.running ? ' running' : ''}`}
        title={`${props.stageName}: ${look.label}`}
      >
        <span aria-hidden="true">{look.icon}</span>
        <span class="visually-hidden">{look.label}, </span>
        {formatDuration(props.cell.durationMs)}
        {props.cell.attempt > 1 && <span class="muted"> (attempt {props.cell.attempt})</span>}
      </span>
    </td>
  );
}

/** The stage view: runs as rows, stages as columns, averages on top, live through the event stream. */
export function ExecutionsPage(props: { application: string }) {
  const [branch, setBranch] = useState('');
  const [branchInput, setBranchInput] = useState('');
  const [status, setStatus] = useState('');
  const [runs, setRuns] = useState<Run[] | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [now, setNow] = useState(Date.now());
  const known = useRef(new Set<string>());
  const pending = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const filters = useRef({ branch, status });
  filters.current = { branch, status };

  const loadDetail = async (executionId: string) => {
    const detail = await must(
      api.GET('/api/v1/executions/{executionId}', { params: { path: { executionId } } }),
    );
    setRuns((current) => current?.map((run) => (run.executionId === executionId ? { ...detail } : run)));
  };

  const loadList = async () => {
    const { branch: b, status: s } = filters.current;
    const list = await must(
      api.GET('/api/v1/executions', {
        params: {
          query: {
            application: props.application,
            limit: 20,
            ...(b ? { branch: b } : {}),
            ...(s ? { status: s } : {}),
          },
        },
      }),
    );
    known.current = new Set(list.executions.map((e) => e.executionId));
    setRuns((current) => {
      const stagesOf = new Map((current ?? []).map((r) => [r.executionId, r.stages]));
      return list.executions.map((e) => ({ ...e, stages: stagesOf.get(e.executionId) }));
    });
    await Promise.all(list.executions.map((e) => loadDetail(e.executionId)));
  };

  useEffect(() => {
    setError(undefined);
    loadList().catch(setError);
  }, [props.application, branch, status]);

  // A run's events come in bursts (a stage starts, runs, ends): one read per run per moment.
  const refresh = (executionId: string) => {
    if (pending.current.has(executionId)) return;
    pending.current.set(
      executionId,
      setTimeout(() => {
        pending.current.delete(executionId);
        const action = known.current.has(executionId) ? loadDetail(executionId) : loadList();
        action.catch(setError);
      }, 250),
    );
  };
  useEffect(() => () => pending.current.forEach(clearTimeout), []);

  const live = useEvents(`application=${encodeURIComponent(props.application)}`, (event) => {
    const id =
      event.correlationid ??
      (typeof event.data['executionId'] === 'string' ? event.data['executionId'] : undefined);
    if (id && event.name.startsWith('execution.')) refresh(id);
    else if (id && known.current.has(id)) refresh(id);
  });

  const anyRunning = runs?.some((r) => r.status === 'RUNNING' || r.status === 'PAUSED') ?? false;
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [anyRunning]);

  const table = buildStageView(runs ?? [], now);
  const average = averageRunMs(runs ?? []);
  return (
    <>
      <h1>{props.application}: executions</h1>
      <div class="row">
        <Link href={routePath({ page: 'environments', application: props.application })}>Environments</Link>
        <span class="muted" role="status">
          {live === 'live' ? '● live' : live === 'connecting' ? 'connecting…' : 'reconnecting…'}
        </span>
      </div>
      <form
        class="row filters"
        aria-label="Filters"
        onSubmit={(e) => {
          e.preventDefault();
          setBranch(branchInput.trim());
        }}
      >
        <div>
          <label for="branch-filter">Branch</label>
          <input
            id="branch-filter"
            type="search"
            placeholder="any branch"
            value={branchInput}
            onInput={(e) => setBranchInput(e.currentTarget.value)}
            onChange={(e) => setBranch(e.currentTarget.value.trim())}
          />
        </div>
        <div>
          <label for="status-filter">Status</label>
          <select id="status-filter" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="">any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLook(s).label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Filter</button>
      </form>
      {error && <ErrorBox error={error} />}
      {!runs && !error && <Loading what="executions" />}
      {runs?.length === 0 && <p>No executions match.</p>}
      {runs && runs.length > 0 && (
        <div class="table-wrap">
          <table class="stage-view" aria-label="Stage view">
            <thead>
              <tr>
                <th scope="col">Run</th>
                {table.columns.map((c) => (
                  <th key={c.stageId} scope="col">
                    {c.name}
                  </th>
                ))}
              </tr>
              <tr class="averages">
                <th scope="row">Average{average !== undefined ? ` (run ${formatDuration(average)})` : ''}</th>
                {table.columns.map((c) => (
                  <th key={c.stageId} class="num">
                    {formatDuration(c.averageMs)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map(({ run, cells }) => (
                <tr key={run.executionId} data-execution={run.executionId}>
                  <th scope="row">
                    <Link
                      href={routePath({
                        page: 'execution',
                        executionId: run.executionId,
                        stageId: undefined,
                      })}
                    >
                      <StatusBadge status={run.status} />
                    </Link>
                    <div>
                      <code title={run.sha}>{shortSha(run.sha)}</code>{' '}
                      {run.branch && <span>on {run.branch}</span>}
                    </div>
                    <div class="muted">
                      {run.trigger.kind}
                      {run.trigger.actor ? ` by ${run.trigger.actor}` : ''} · {formatAgo(run.createdAt, now)}
                    </div>
                    {run.trigger.message && <div class="muted">{run.trigger.message.split('\n')[0]}</div>}
                  </th>
                  {cells.map((cell, i) => (
                    <Cell key={table.columns[i]!.stageId} cell={cell} stageName={table.columns[i]!.name} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
