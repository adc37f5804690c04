import { api, must } from '../api/client.js';
import { formatTime, shortSha } from '../logic/format.js';
import { qualitySections } from '../logic/quality-report.js';
import { ErrorBox } from '../ui/feedback.js';
import { StageReportHeader } from '../ui/stage-report-header.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useLoad } from '../ui/use-load.js';

/** The quality gate of a stage: each condition per project, and the change since the previous main build. */
export function QualityPage(props: { executionId: string; stageId: string }) {
  const loaded = useLoad(
    () =>
      must(
        api.GET('/api/v1/executions/{executionId}/stages/{stageId}/quality-report', {
          params: { path: { executionId: props.executionId, stageId: props.stageId } },
        }),
      ),
    `${props.executionId}/${props.stageId}`,
  );
  const report = loaded.data;
  return (
    <>
      <StageReportHeader
        executionId={props.executionId}
        stageId={props.stageId}
        title="Quality report"
        what="the quality report"
        error={loaded.error}
        loaded={Boolean(report)}
      />
      {report && (
        <>
          <p class="row">
            <StatusBadge
              status={report.status ?? (report.gate === 'passed' ? 'OK' : 'ERROR')}
              text={`Gate ${report.gate}`}
            />
            <span>
              {report.gateName ?? 'quality gate'} on <code>{shortSha(report.sha)}</code>
              {report.branch && <> ({report.branch})</>}, evaluated {formatTime(report.evaluatedAt)}
            </span>
          </p>
          <p class="muted">
            {report.previous
              ? `Compared with the previous main build ${shortSha(report.previous.sha)} (${report.previous.status}, ${formatTime(report.previous.evaluatedAt)}).`
              : 'No previous main build to compare with.'}
            {report.newCode &&
              !report.newCode.available &&
              report.newCode.reason &&
              ` New code not measured: ${report.newCode.reason}.`}
          </p>
          {report.unreadable?.map((u) => (
            <ErrorBox key={u.file} error={`${u.kind} report ${u.file} could not be read: ${u.problem}`} />
          ))}
          {qualitySections(report).map((section) => (
            <section key={section.name} class="panel" aria-labelledby={`q-${section.name}`}>
              <h2 id={`q-${section.name}`} style={{ marginTop: 0 }}>
                {section.name} <StatusBadge status={section.status} />
              </h2>
              {section.rows.length === 0 ? (
                <p class="muted">No conditions.</p>
              ) : (
                <div class="table-wrap">
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Condition</th>
                        <th scope="col" class="num">
                          Actual
                        </th>
                        <th scope="col">Threshold</th>
                        <th scope="col">Status</th>
                        <th scope="col">Since previous main build</th>
                      </tr>
                    </thead>
                    <tbody>
                      {section.rows.map((row) => (
                        <tr key={row.label}>
                          <th scope="row">{row.label}</th>
                          <td class="num">{row.actual}</td>
                          <td>{row.threshold}</td>
                          <td>
                            <StatusBadge status={row.status} />
                          </td>
                          <td>
                            {row.delta ? (
                              <span
                                class={
                                  row.deltaTrend === 'better'
                                    ? 'tone-ok'
                                    : row.deltaTrend === 'worse'
                                      ? 'tone-bad'
                                      : ''
                                }
                              >
                                {row.deltaTrend === 'better'
                                  ? '▲ '
                                  : row.deltaTrend === 'worse'
                                    ? '▼ '
                                    : '= '}
                                {row.delta}
                              </span>
                            ) : (
                              <span class="muted">–</span>
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          ))}
        </>
      )}
    </>
  );
}
