import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectApi } from '../api/object-api.js';
import { linesWritten, logContainer, type PodLogGenerator } from '../logs/pod-logs.js';
import { PODS } from '../resources/catalog.js';
import type { ObjectStore } from '../store/object-store.js';

export interface PodLogOptions {
  generator: PodLogGenerator;
  initialLines: number;
  intervalMs: number;
}

/**
 * `GET .../pods/<name>/log`: the lines the container has written so far (`tailLines` of them), and with
 * `follow=true` one more per interval until the pod goes away or the client hangs up.
 */
export function servePodLog(
  request: IncomingMessage,
  response: ServerResponse,
  { api, store, options }: { api: ObjectApi; store: ObjectStore; options: PodLogOptions },
  { namespace, name, query }: { namespace: string; name: string; query: URLSearchParams },
): void {
  const pod = api.get(PODS, namespace, name);
  const container = logContainer(pod, query.get('container'));
  const line = (index: number) => {
    const text = options.generator({ namespace, pod: name, container, index });
    return query.get('timestamps') === 'true' ? `${new Date().toISOString()} ${text}\n` : `${text}\n`;
  };
  const written = linesWritten(pod, options);
  const tail = Number(query.get('tailLines') ?? Number.NaN);
  const first = Number.isInteger(tail) && tail >= 0 ? Math.max(0, written - tail) : 0;

  response.writeHead(200, { 'Content-Type': 'text/plain' });
  for (let i = first; i < written; i++) response.write(line(i));
  if (query.get('follow') !== 'true') {
    response.end();
    return;
  }
  let next = written;
  const timer = setInterval(() => {
    const current = store.get(PODS, namespace, name);
    if (!current || current.metadata.uid !== pod.metadata.uid) {
      finish();
      return;
    }
    response.write(line(next++));
  }, options.intervalMs);
  function finish(): void {
    clearInterval(timer);
    response.end();
  }
  request.on('close', finish);
}
