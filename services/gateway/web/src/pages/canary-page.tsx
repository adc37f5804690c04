import { useMemo, useState } from 'preact/hooks';
import { api, must, type CanaryInterval, type CanaryMetric } from '../api/client.js';
import { useEvents } from '../live/use-events.js';
import {
  alignSeries,
  histogram,
  intervalTimeline,
  metricTitle,
  scoreBand,
  toNumber,
  toPoints,
} from '../logic/canary-report.js';
import { formatNumber, formatTime } from '../logic/format.js';
import { StageReportHeader } from '../ui/stage-report-header.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useLoad } from '../ui/use-load.js';
import { CanaryChart } from './canary-chart.js';

function ScoreBar(props: {
  score: number | undefined;
  thresholds: { pass: number; marginal: number } | undefined;
}) {
  const band = scoreBand(props.score, props.thresholds);
  const t = props.thresholds;
  return (
    <div>
      <p class="row">
        <StatusBadge
          status={band.band === 'unknown' ? 'running' : band.band}
          text={`Score ${formatNumber(props.score)}`}
        />
        <span>{band.text}</span>
      </p>
      {t && (
        <div
          class="score-bar"
          style={{ '--marginal': `${t.marginal}%`, '--pass': `${t.pass}%` }}
          aria-hidden="true"
        >
          {props.score !== undefined && <span class="marker" style={{ left: `${props.score}%` }} />}
          <span class="tick" style={{ left: `${t.marginal}%` }}>
            marginal {t.marginal}
          </span>
          <span class="tick" style={{ left: `${t.pass}%` }}>
            pass {t.pass}
          </span>
        </div>
      )}
    </div>
  );
}

/** The judge's explanation, after the short reason when the reason says something else. */
function Why(props: { metric: CanaryMetric }) {
  const { reason, explanation } = props.metric;
  return (
    <>
      {reason && !explanation.includes(reason) && <strong>{reason}. </strong>}
      {explanation}
    </>
  );
}

function SideTable(props: { metric: CanaryMetric }) {
  const rows: Array<['baseline' | 'canary', CanaryMetric['baseline']]> = [
    ['baseline', props.metric.baseline],
    ['canary', props.metric.canary],
  ];
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Count, mean, maximum and minimum of each side</caption>
        <thead>
          <tr>
            <th scope="col">Side</th>
            <th scope="col" class="num">
              Count
            </th>
            <th scope="col" class="num">
              Mean
            </th>
            <th scope="col" class="num">
              Max
            </th>
            <th scope="col" class="num">
              Min
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, side]) => (
            <tr key={name}>
              <th scope="row" class={`legend-${name}`}>
                <span aria-hidden="true">■ </span>
                {name}
              </th>
              <td class="num">{formatNumber(side.stats.count)}</td>
              <td class="num">{formatNumber(toNumber(side.stats.mean))}</td>
              <td class="num">{formatNumber(toNumber(side.stats.max))}</td>
              <td class="num">{formatNumber(toNumber(side.stats.min))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function MetricDetail(props: { metric: CanaryMetric; interval: CanaryInterval }) {
  const { metric, interval } = props;
  const over = useMemo(
    () =>
      alignSeries(
        toPoints(metric.baseline.series),
        toPoints(metric.canary.series),
        Date.parse(interval.baseline.start) / 1000,
        Date.parse(interval.canary.start) / 1000,
      ),
    [metric, interval],
  );
  const bins = useMemo(() => {
    const h = histogram(toPoints(metric.baseline.series), toPoints(metric.canary.series));
    return [h.edges.map((e) => e + h.width / 2), h.baseline, h.canary] as [number[], number[], number[]];
  }, [metric]);
  const title = metricTitle(metric.name, metric.tags);
  return (
    <section class="panel" aria-labelledby="metric-title">
      <h2 id="metric-title" style={{ marginTop: 0 }}>
        {title} <StatusBadge status={metric.classification} />
      </h2>
      <p>
        <Why metric={metric} />
      </p>
      <h3>Queries sent</h3>
      <dl class="facts">
        <dt class="legend-baseline">baseline</dt>
        <dd>
          <code>{metric.baseline.query ?? '(scraped directly)'}</code>
        </dd>
        <dt class="legend-canary">canary</dt>
        <dd>
          <code>{metric.canary.query ?? '(scraped directly)'}</code>
        </dd>
      </dl>
      <SideTable metric={metric} />
      <h3>Over time</h3>
      <CanaryChart
        kind="time"
        data={over}
        label={`${title}, baseline and canary over time`}
        xLabel="seconds since the window started"
        yLabel={metric.name}
      />
      <h3>Distribution</h3>
      <CanaryChart
        kind="histogram"
        data={bins}
        label={`${title}, histogram of baseline and canary values`}
        xLabel={metric.name}
        yLabel="points"
      />
    </section>
  );
}

/** Kayenta's report: the score against its thresholds, each metric's verdict, the series and the intervals. */
export function CanaryPage(props: { executionId: string; stageId: string }) {
  const loaded = useLoad(
    () =>
      must(
        api.GET('/api/v1/executions/{executionId}/stages/{stageId}/canary-report', {
          params: { path: { executionId: props.executionId, stageId: props.stageId } },
        }),
      ),
    `${props.executionId}/${props.stageId}`,
  );
  // While the analysis runs, each judged interval (the canary's progress events) comes in as it is judged.
  useEvents(`execution=${encodeURIComponent(props.executionId)}`, (event) => {
    if (event.name.startsWith('stage.canary.') && event.data['stageId'] === props.stageId) loaded.reload();
  });
  const report = loaded.data;
  const intervals = report?.intervals ?? [];
  const [chosenInterval, setChosenInterval] = useState<number>();
  const [chosenMetric, setChosenMetric] = useState<string>();
  const interval = intervals.find((i) => i.index === chosenInterval) ?? intervals.at(-1);
  const key = (m: CanaryMetric) => metricTitle(m.name, m.tags);
  const metric = interval?.metrics.find((m) => key(m) === chosenMetric) ?? interval?.metrics[0];
  return (
    <>
      <StageReportHeader
        executionId={props.executionId}
        stageId={props.stageId}
        title="Canary report"
        what="the canary report"
        error={loaded.error}
        loaded={Boolean(report)}
      />
      {report && (
        <>
          <p class="row">
            <StatusBadge status={report.verdict} text={`Verdict: ${report.verdict}`} />
            <span class="muted">
              {report.application} · started {formatTime(report.startedAt)}
              {report.completedAt && <> · completed {formatTime(report.completedAt)}</>}
            </span>
            <button type="button" class="ghost" onClick={loaded.reload}>
              ↻ Refresh
            </button>
          </p>
          <ScoreBar score={report.score} thresholds={report.thresholds} />
          {report.summary && <p>{report.summary}</p>}
          <h2>Intervals</h2>
          <ol class="timeline" aria-label="Intervals">
            {intervalTimeline(intervals, report.plannedIntervals).map((entry) => (
              <li key={entry.index}>
                {entry.judged ? (
                  <button
                    type="button"
                    aria-pressed={entry.index === interval?.index}
                    onClick={() => setChosenInterval(entry.index)}
                  >
                    #{entry.index}{' '}
                    <StatusBadge status={entry.classification} text={formatNumber(entry.score)} />
                  </button>
                ) : (
                  <span class="badge tone-off">#{entry.index} pending</span>
                )}
                {entry.end && <div class="muted">{formatTime(entry.end)}</div>}
              </li>
            ))}
          </ol>
          {interval && (
            <>
              <p>{interval.explanation}</p>
              {interval.warnings.map((w) => (
                <p key={w} class="muted">
                  ! {w}
                </p>
              ))}
              <h2>Metrics of interval {interval.index}</h2>
              <div class="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Metric</th>
                      <th scope="col">Classification</th>
                      <th scope="col">Why</th>
                    </tr>
                  </thead>
                  <tbody>
                    {interval.metrics.map((m) => (
                      <tr key={key(m)}>
                        <th scope="row">
                          <button
                            type="button"
                            class="ghost"
                            aria-pressed={metric === m}
                            onClick={() => setChosenMetric(key(m))}
                          >
                            {key(m)}
                          </button>
                          {m.critical && <span class="badge tone-warn">critical</span>}
                        </th>
                        <td>
                          <StatusBadge status={m.classification} />
                        </td>
                        <td>
                          <Why metric={m} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {metric && <MetricDetail metric={metric} interval={interval} />}
            </>
          )}
        </>
      )}
    </>
  );
}
