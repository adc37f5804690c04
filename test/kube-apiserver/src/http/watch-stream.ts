import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, expired } from '../api/errors.js';
import type { Faults } from '../faults/faults.js';
import { type ResourceType, apiVersionOf } from '../resources/catalog.js';
import type { KubeObject } from '../resources/kube-object.js';
import { matchesFields, parseFieldSelector } from '../selectors/field-selector.js';
import { matches, parseLabelSelector } from '../selectors/label-selector.js';
import type { ObjectStore } from '../store/object-store.js';
import type { StoreEvent, WatchEventType } from '../store/watch-hub.js';

export interface WatchRequest {
  resource: ResourceType;
  namespace?: string;
  /** A watch on `/<resource>/<name>` (rare) watches only that object. */
  name?: string;
  query: URLSearchParams;
}

/**
 * `?watch=true`: one JSON event per line. Without a resourceVersion (or "0") it starts with an ADDED
 * event per current object; with one, it replays what happened after it, or sends an ERROR event with
 * a 410 Expired Status when the history no longer reaches back that far. `sendInitialEvents=true`
 * (watch-list) sends the current objects, then a BOOKMARK marking their end. Under a label or field
 * selector, objects that start or stop matching arrive as ADDED or DELETED, as in Kubernetes.
 */
export function serveWatch(
  request: IncomingMessage,
  response: ServerResponse,
  store: ObjectStore,
  faults: Faults,
  { resource, namespace, name, query }: WatchRequest,
): void {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'), resource);
  const selected = (object: KubeObject | undefined) =>
    object !== undefined &&
    (namespace === undefined || object.metadata.namespace === namespace) &&
    (name === undefined || object.metadata.name === name) &&
    matches(labels, object.metadata.labels) &&
    matchesFields(fields, object);
  const requested = query.get('resourceVersion') ?? '';
  const from = requested === '' || requested === '0' ? undefined : Number(requested);
  if (from !== undefined && !Number.isInteger(from))
    throw badRequest(`invalid resource version: ${requested}`);

  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  response.flushHeaders();
  let open = true;
  const tracker = faults.watchOpened(request.url ?? '', () => finish());
  const send = (type: WatchEventType | 'ERROR' | 'BOOKMARK', object: unknown) => {
    if (!open) return;
    response.write(`${JSON.stringify({ type, object })}\n`);
    tracker.sent();
  };
  const relay = (event: StoreEvent) => {
    if (event.resource !== resource) return;
    const now = event.type !== 'DELETED' && selected(event.object);
    const before = selected(event.previous);
    if (event.type === 'ADDED' && now) send('ADDED', event.object);
    else if (event.type === 'DELETED' && before) send('DELETED', event.object);
    else if (event.type === 'MODIFIED' && now) send(before ? 'MODIFIED' : 'ADDED', event.object);
    else if (event.type === 'MODIFIED' && before) send('DELETED', event.object);
  };

  const unsubscribe = store.hub.subscribe(relay);
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
  const timeout = timeoutSeconds > 0 ? setTimeout(() => finish(), timeoutSeconds * 1000) : undefined;
  function finish(): void {
    if (!open) return;
    open = false;
    unsubscribe();
    tracker.closed();
    if (timeout) clearTimeout(timeout);
    response.end();
  }
  request.on('close', finish);
  response.on('close', finish);

  if (from === undefined || query.get('sendInitialEvents') === 'true') {
    for (const object of store.list(resource, namespace).filter(selected)) send('ADDED', object);
    if (query.get('sendInitialEvents') === 'true') {
      // client-go's watch-list (kubectl 1.35) waits for this bookmark before it trusts the initial state.
      send('BOOKMARK', {
        kind: resource.kind,
        apiVersion: apiVersionOf(resource),
        metadata: {
          resourceVersion: String(store.resourceVersion()),
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      });
    }
    return;
  }
  const backlog = store.hub.since(from);
  if (!backlog) {
    send('ERROR', expired(requested, store.hub.oldestResumable()).toStatus());
    finish();
    return;
  }
  for (const event of backlog) relay(event);
}
