import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, must, type Stage } from '../api/client.js';
import {
  highlight,
  maskSecrets,
  mergeLines,
  searchLines,
  withLive,
  type LogLine,
} from '../logic/log-lines.js';
import { ErrorBox } from '../ui/feedback.js';

export type LiveLine = LogLine & { executionId: string; stageId: string };

/** Pages of the stored log read at most, before showing what there is (a huge log stays usable). */
const MAX_PAGES = 20;

/** The selected stage's log: the stored lines, then the live ones as they come, searchable. */
export function StageLog(props: { executionId: string; stage: Stage; live: LiveLine[] }) {
  const { stage } = props;
  const attempt = Math.max(1, stage.attempt);
  const [stored, setStored] = useState<LogLine[]>([]);
  const [error, setError] = useState<Error>();
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLPreElement>(null);

  useEffect(() => {
    let current = true;
    setStored([]);
    setError(undefined);
    if (stage.attempt === 0) return;
    (async () => {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await must(
          api.GET('/api/v1/executions/{executionId}/stages/{stageId}/logs', {
            params: {
              path: { executionId: props.executionId, stageId: stage.stageId },
              query: { attempt, limit: 2000, ...(cursor ? { cursor } : {}) },
            },
          }),
        );
        if (!current) return;
        setStored((lines) => mergeLines(lines, answer.lines));
        cursor = answer.nextCursor;
        if (!cursor) return;
      }
    })().catch((e: unknown) => current && setError(e as Error));
    return () => {
      current = false;
    };
  }, [props.executionId, stage.stageId, attempt, stage.status]);

  // Masked before anything else, so that a search cannot find what the page does not show.
  const lines = useMemo(
    () =>
      withLive(
        stored,
        props.live.filter((l) => l.attempt === attempt),
      ).map((l) => ({ ...l, text: maskSecrets(l.text) })),
    [stored, props.live, attempt],
  );
  const shown = searchLines(lines, query);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown.length, follow]);

  return (
    <section class="panel" aria-labelledby="log-title">
      <div class="row">
        <h2 id="log-title" style={{ margin: 0 }}>
          Log of {stage.name}
          {attempt > 1 ? `, attempt ${attempt}` : ''}
        </h2>
        <div class="spacer" />
        <label class="inline" for="log-search">
          Search
        </label>
        <input id="log-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <label class="inline">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} />{' '}
          Follow
        </label>
      </div>
      <p class="muted" role="status">
        {query ? `${shown.length} of ${lines.length} lines match` : `${lines.length} lines`}
      </p>
      {error && <ErrorBox error={error} />}
      <pre class="log" ref={box} tabIndex={0} aria-label={`Log of ${stage.name}`}>
        {shown.map((line) => (
          <span key={`${line.attempt}:${line.seq}`} class={`line ${line.stream}`}>
            <span class="seq" aria-hidden="true">
              {line.seq}
            </span>
            {highlight(line.text, query).map((segment, i) =>
              segment.match ? <mark key={i}>{segment.text}</mark> : segment.text,
            )}
          </span>
        ))}
      </pre>
    </section>
  );
}
