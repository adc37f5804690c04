import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./fixtures/sonarqube/${name}.json`, import.meta.url)), 'utf8');

export interface RecordedSonarQube {
  url: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP server answering the part of SonarQube's web API the provider reads with recorded
 * answers (SonarQube's documented formats): `api/ce/task` (task AVAn5RKqYwETbXvgas-I is IN_PROGRESS
 * twice, then SUCCESS; AVAn5RKqYwETbXvgas-F FAILED; `stuck` never finishes; others 404) and
 * `api/qualitygates/project_status` (ERROR for the analysis, WARN in the older format for project
 * `legacy`). Requests without the token get 401.
 */
export async function startRecordedSonarQube(token: string): Promise<RecordedSonarQube> {
  const requests: RecordedSonarQube['requests'] = [];
  const polls = new Map<string, number>();
  const expected = `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sonarqube');
    requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers });
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    };
    if (req.headers.authorization !== expected) return send(401, fixture('unauthorized'));
    if (url.pathname === '/api/ce/task') {
      const id = url.searchParams.get('id') ?? '';
      const count = (polls.get(id) ?? 0) + 1;
      polls.set(id, count);
      if (id === 'AVAn5RKqYwETbXvgas-I')
        return send(200, fixture(count <= 2 ? 'task-in-progress' : 'task-success'));
      if (id === 'AVAn5RKqYwETbXvgas-F') return send(200, fixture('task-failed'));
      if (id === 'stuck') return send(200, fixture('task-in-progress'));
      return send(404, fixture('task-not-found'));
    }
    if (url.pathname === '/api/qualitygates/project_status') {
      if (url.searchParams.get('analysisId') === 'AYxq3bq9fKg2mB5kT1Zr')
        return send(200, fixture('project-status-error'));
      if (url.searchParams.get('projectKey') === 'legacy')
        return send(200, fixture('project-status-ok-legacy'));
      return send(404, JSON.stringify({ errors: [{ msg: 'Project not found' }] }));
    }
    send(404, JSON.stringify({ errors: [{ msg: 'Unknown url' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
