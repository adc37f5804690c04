import { useEffect, useRef, useState } from 'preact/hooks';
import { api, must, type ExecutionDetail, type Stage } from '../api/client.js';
import { useEvents } from '../live/use-events.js';
import { layoutDag, NODE } from '../logic/dag-layout.js';
import { formatDuration, formatTime, shortSha } from '../logic/format.js';
import { routePath } from '../logic/routes.js';
import { statusLook, isFinished } from '../logic/status.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { Link, navigate } from '../ui/router.js';
import { useSession } from '../ui/session.js';
import { StatusBadge } from '../ui/status-badge.js';
import { StageLog, type LiveLine } from './stage-log.js';

function StageGraph(props: {
  stages: Stage[];
  selected: string | undefined;
  onSelect: (id: string) => void;
}) {
  const layout = layoutDag(props.stages);
  const byId = new Map(props.stages.map((s) => [s.stageId, s]));
  return (
    <div class="dag panel">
      <svg width={layout.width} height={layout.height} role="group" aria-label="Stage graph">
        {layout.edges.map((edge) => (
          <path key={`${edge.from}-${edge.to}`} class="edge" d={edge.path} />
        ))}
        {layout.nodes.map((node) => {
          const stage = byId.get(node.id)!;
          const look = statusLook(stage.status);
          const select = () => props.onSelect(node.id);
          return (
            <g
              key={node.id}
              class={`node tone-${look.tone}${props.selected === node.id ? ' selected' : ''}`}
              transform={`translate(${node.x},${node.y})`}
              role="button"
              // an SVG attribute is set as written: lowercase, or the node is not focusable
              tabindex={0}
              aria-pressed={props.selected === node.id}
              aria-label={`${stage.name}: ${look.label}${stage.durationMs !== undefined ? `, ${formatDuration(stage.durationMs)}` : ''}`}
              data-stage={node.id}
              onClick={select}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  select();
                }
              }}
            >
              <rect width={NODE.width} height={NODE.height} />
              <text x={10} y={20} font-weight="600">
                {look.icon} {stage.name.length > 20 ? `${stage.name.slice(0, 19)}…` : stage.name}
              </text>
              <text x={10} y={38}>
                {look.label}
                {stage.durationMs !== undefined ? ` · ${formatDuration(stage.durationMs)}` : ''}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function Outputs(props: { outputs: Record<string, unknown> }) {
  const entries = Object.entries(props.outputs);
  if (entries.length === 0) return <p class="muted">No outputs.</p>;
  return (
    <dl class="facts">
      {entries.map(([key, value]) => [
        <dt key={`${key}-k`}>{key}</dt>,
        <dd key={`${key}-v`}>
          <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
        </dd>,
      ])}
    </dl>
  );
}

function JudgmentForm(props: {
  execution: ExecutionDetail;
  stage: Stage;
  onDone: (message: string) => void;
}) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error>();
  const decide = (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    must(
      api.POST('/api/v1/executions/{executionId}/stages/{stageId}/judgment', {
        params: { path: { executionId: props.execution.executionId, stageId: props.stage.stageId } },
        body: { decision, ...(comment.trim() ? { comment: comment.trim() } : {}) },
      }),
    )
      .then((answer) => props.onDone(answer.message))
      .catch(setError)
      .finally(() => setBusy(false));
  };
  return (
    <form class="panel" aria-labelledby="judgment-title" onSubmit={(e) => e.preventDefault()}>
      <h3 id="judgment-title">Manual judgment</h3>
      <label for="judgment-comment">Comment (optional)</label>
      <textarea
        id="judgment-comment"
        rows={2}
        value={comment}
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      <div class="row" style={{ marginTop: '0.5rem' }}>
        <button type="button" class="primary" disabled={busy} onClick={() => decide('approve')}>
          ✓ Approve
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => decide('reject')}>
          ✗ Reject
        </button>
      </div>
      {error && <ErrorBox error={error} />}
    </form>
  );
}

const MAX_LIVE_LINES = 50_000;

const RESTARTABLE_EXECUTION = ['FAILED', 'TERMINAL', 'CANCELED', 'PAUSED'];
const RESTARTABLE_STAGE = ['FAILED', 'TERMINAL', 'CANCELED', 'FAILED_CONTINUE', 'PAUSED'];

function StagePanel(props: { execution: ExecutionDetail; stage: Stage; notice: (message: string) => void }) {
  const { execution, stage } = props;
  const session = useSession();
  const [error, setError] = useState<Error>();
  const mayOperate = session?.may.operate ?? false;
  const restartable =
    RESTARTABLE_EXECUTION.includes(execution.status) &&
    RESTARTABLE_STAGE.includes(stage.status) &&
    stage.type !== 'manual-judgment';
  const restart = () =>
    must(
      api.POST('/api/v1/executions/{executionId}/stages/{stageId}/restart', {
        params: { path: { executionId: execution.executionId, stageId: stage.stageId } },
      }),
    )
      .then((answer) => props.notice(answer.message))
      .catch(setError);
  return (
    <section class="panel" aria-labelledby="stage-title">
      <h2 id="stage-title" style={{ marginTop: 0 }}>
        {stage.name} <StatusBadge status={stage.status} />
      </h2>
      <dl class="facts">
        <dt>Type</dt>
        <dd>{stage.type}</dd>
        <dt>Started</dt>
        <dd>{formatTime(stage.startedAt)}</dd>
        <dt>Ended</dt>
        <dd>{formatTime(stage.endedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(stage.durationMs)}</dd>
        <dt>Attempt</dt>
        <dd>
          {stage.attempt}
          {stage.attempts.length > 1 &&
            ` (${stage.attempts.map((a) => `#${a.attempt} ${statusLook(a.status).label.toLowerCase()}`).join(', ')})`}
        </dd>
        {stage.reason && (
          <>
            <dt>Reason</dt>
            <dd>{stage.reason}</dd>
          </>
        )}
      </dl>
      {stage.type === 'canary-analysis' && stage.attempt > 0 && (
        <p>
          <Link
            href={routePath({ page: 'canary', executionId: execution.executionId, stageId: stage.stageId })}
          >
            Canary report
          </Link>
        </p>
      )}
      {stage.type === 'quality-gate' && stage.attempt > 0 && (
        <p>
          <Link
            href={routePath({ page: 'quality', executionId: execution.executionId, stageId: stage.stageId })}
          >
            Quality report
          </Link>
        </p>
      )}
      <h3>Outputs</h3>
      <Outputs outputs={stage.outputs} />
      {mayOperate && stage.type === 'manual-judgment' && stage.status === 'PAUSED' && (
        <JudgmentForm execution={execution} stage={stage} onDone={props.notice} />
      )}
      {mayOperate && restartable && (
        <button type="button" onClick={() => void restart()}>
          ↻ Restart this stage
        </button>
      )}
      {error && <ErrorBox error={error} />}
    </section>
  );
}

/** One execution: its stage graph, the selected stage's details and log, and what may be done. */
export function ExecutionPage(props: { executionId: string; stageId: string | undefined }) {
  const session = useSession();
  const [execution, setExecution] = useState<ExecutionDetail>();
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<string>();
  const [liveLines, setLiveLines] = useState<LiveLine[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const load = () =>
    must(
      api.GET('/api/v1/executions/{executionId}', { params: { path: { executionId: props.executionId } } }),
    )
      .then((detail) => {
        setExecution(detail);
        setError(undefined);
      })
      .catch(setError);

  useEffect(() => {
    setExecution(undefined);
    setLiveLines([]);
    void load();
    return () => clearTimeout(timer.current);
  }, [props.executionId]);

  const live = useEvents(`execution=${encodeURIComponent(props.executionId)}`, (event) => {
    if (event.name === 'log') {
      const line = event.data as unknown as LiveLine;
      // The page keeps the newest lines of a very long run; the stored log has them all.
      setLiveLines((lines) =>
        lines.length >= MAX_LIVE_LINES ? [...lines.slice(1000), line] : [...lines, line],
      );
      return;
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), 200);
  });

  if (error && !execution) return <ErrorBox error={error} />;
  if (!execution) return <Loading what="the execution" />;

  // The stage shown: the one chosen, else the one running or waiting, else the first that failed, else the last.
  const stage =
    execution.stages.find((s) => s.stageId === props.stageId) ??
    execution.stages.find((s) => s.status === 'PAUSED' || s.status === 'RUNNING') ??
    execution.stages.find((s) => s.status === 'FAILED' || s.status === 'TERMINAL') ??
    execution.stages.at(-1);
  const select = (stageId: string) =>
    navigate(routePath({ page: 'execution', executionId: execution.executionId, stageId }), true);
  const cancel = () =>
    must(
      api.POST('/api/v1/executions/{executionId}/cancel', {
        params: { path: { executionId: execution.executionId } },
        body: {},
      }),
    )
      .then((answer) => setNotice(answer.message))
      .catch(setError);

  return (
    <>
      <p>
        <Link href={routePath({ page: 'executions', application: execution.application })}>
          ← {execution.application}
        </Link>
      </p>
      <h1>
        {execution.pipeline ?? execution.application} <code>{shortSha(execution.sha)}</code>{' '}
        <StatusBadge status={execution.status} />
      </h1>
      <div class="row">
        <span>
          {execution.branch && <>on {execution.branch} · </>}
          {execution.trigger.kind}
          {execution.trigger.actor ? ` by ${execution.trigger.actor}` : ''} · started{' '}
          {formatTime(execution.startedAt ?? execution.createdAt)}
          {execution.durationMs !== undefined && ` · took ${formatDuration(execution.durationMs)}`}
        </span>
        <span class="muted">{live === 'live' ? '● live' : 'reconnecting…'}</span>
        {session?.may.operate && !isFinished(execution.status) && (
          <button type="button" class="danger" onClick={() => void cancel()}>
            ⊘ Cancel execution
          </button>
        )}
      </div>
      {execution.reason && <p class="muted">{execution.reason}</p>}
      <div role="status" aria-live="polite">
        {notice && <p>{notice}</p>}
      </div>
      {error && <ErrorBox error={error} />}
      <StageGraph stages={execution.stages} selected={stage?.stageId} onSelect={select} />
      {stage && (
        <div class="split">
          <StagePanel execution={execution} stage={stage} notice={setNotice} />
          <StageLog
            executionId={execution.executionId}
            stage={stage}
            live={liveLines.filter((l) => l.stageId === stage.stageId)}
          />
        </div>
      )}
    </>
  );
}
