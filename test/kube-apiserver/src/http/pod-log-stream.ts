import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectApi } from '../api/object-api.js';
import { linesWritten, logContainer, type PodLogGenerator } from '../logs/pod-logs.js';
import { PODS } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import type { ObjectStore } from '../store/object-store.js';

export interface PodLogOptions {
  generator: PodLogGenerator;
  initialLines: number;
  intervalMs: number;
  /** The whole log of a pod that runs to completion (its PodBehaviour's `logs`), if it is one. */
  scripted?: (pod: KubeObject) => string[] | undefined;
}

function terminated(pod: KubeObject | undefined, container: string): boolean {
  const statuses =
    (
      pod?.status as
        { containerStatuses?: Array<{ name: string; state?: { terminated?: unknown } }> } | undefined
    )?.containerStatuses ?? [];
  return statuses.some((status) => status.name === container && status.state?.terminated !== undefined);
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
  const script = options.scripted?.(pod);
  if (script) {
    serveScriptedLog(request, response, { store, options, pod, container, script, query });
    return;
  }
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

/**
 * A pod that runs to completion has written its whole log when it starts; with `follow=true` the
 * stream stays open until its container terminates (or the pod goes away), as a kubelet's does.
 */
function serveScriptedLog(
  request: IncomingMessage,
  response: ServerResponse,
  context: {
    store: ObjectStore;
    options: PodLogOptions;
    pod: KubeObject;
    container: string;
    script: string[];
    query: URLSearchParams;
  },
): void {
  const { store, options, pod, container, script, query } = context;
  const tail = Number(query.get('tailLines') ?? Number.NaN);
  const lines =
    Number.isInteger(tail) && tail >= 0 ? script.slice(Math.max(0, script.length - tail)) : script;
  response.writeHead(200, { 'Content-Type': 'text/plain' });
  for (const text of lines)
    response.write(
      query.get('timestamps') === 'true' ? `${new Date().toISOString()} ${text}\n` : `${text}\n`,
    );
  const namespace = pod.metadata.namespace!;
  const name = pod.metadata.name!;
  const current = () => {
    const found = store.get(PODS, namespace, name);
    return found && found.metadata.uid === pod.metadata.uid ? found : undefined;
  };
  if (query.get('follow') !== 'true' || terminated(current(), container)) {
    response.end();
    return;
  }
  const timer = setInterval(() => {
    const now = current();
    if (!now || terminated(now, container)) finish();
  }, options.intervalMs);
  function finish(): void {
    clearInterval(timer);
    response.end();
  }
  request.on('close', finish);
}
