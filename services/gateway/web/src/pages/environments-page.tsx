import { api, must } from '../api/client.js';
import { useEvents } from '../live/use-events.js';
import { formatAgo, formatTime } from '../logic/format.js';
import { routePath } from '../logic/routes.js';
import { ErrorBox, Loading } from '../ui/feedback.js';
import { Link } from '../ui/router.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useLoad } from '../ui/use-load.js';

/** Spinnaker's cluster view: per environment, its server groups and the newest release. */
export function EnvironmentsPage(props: { application: string }) {
  const loaded = useLoad(
    () =>
      must(
        api.GET('/api/v1/applications/{name}/environments', {
          params: { path: { name: props.application } },
        }),
      ),
    props.application,
  );
  useEvents(`application=${encodeURIComponent(props.application)}`, (event) => {
    if (event.name.startsWith('deployer.release-changed')) loaded.reload();
  });
  const now = Date.now();
  return (
    <>
      <p>
        <Link href={routePath({ page: 'executions', application: props.application })}>
          ← {props.application}
        </Link>
      </p>
      <h1>{props.application}: environments</h1>
      {loaded.error && <ErrorBox error={loaded.error} />}
      {!loaded.data && !loaded.error && <Loading what="environments" />}
      {loaded.data?.environments.length === 0 && <p>Nothing deployed yet.</p>}
      {loaded.data?.environments.map((env) => (
        <section key={env.environment} class="panel" aria-labelledby={`env-${env.environment}`}>
          <h2 id={`env-${env.environment}`} style={{ marginTop: 0 }}>
            {env.environment} <span class="muted">namespace {env.namespace}</span>
          </h2>
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">Server groups in {env.environment}</caption>
              <thead>
                <tr>
                  <th scope="col">Server group</th>
                  <th scope="col">Role</th>
                  <th scope="col">Version</th>
                  <th scope="col">Image</th>
                  <th scope="col" class="num">
                    Replicas
                  </th>
                  <th scope="col">Health</th>
                  <th scope="col">Deployed</th>
                </tr>
              </thead>
              <tbody>
                {env.serverGroups.map((group) => (
                  <tr key={group.name}>
                    <th scope="row">{group.name}</th>
                    <td>{group.role}</td>
                    <td>
                      <code>{group.version}</code>
                    </td>
                    <td>
                      <code>{group.image}</code>
                    </td>
                    <td class="num">{group.replicas}</td>
                    <td>
                      <StatusBadge status={group.health} />
                    </td>
                    <td>
                      {group.deployedAt ? (
                        <time dateTime={group.deployedAt} title={formatTime(group.deployedAt)}>
                          {formatAgo(group.deployedAt, now)}
                        </time>
                      ) : (
                        '–'
                      )}
                      {group.executionId && (
                        <>
                          {' '}
                          <Link
                            href={routePath({
                              page: 'execution',
                              executionId: group.executionId,
                              stageId: undefined,
                            })}
                          >
                            by this run
                          </Link>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            Newest release: {env.lastRelease.strategy} of <code>{env.lastRelease.image}</code>,{' '}
            <strong>{env.lastRelease.state}</strong> {formatAgo(env.lastRelease.changedAt, now)}
            {env.lastRelease.reason && <> ({env.lastRelease.reason})</>}
          </p>
        </section>
      ))}
    </>
  );
}
