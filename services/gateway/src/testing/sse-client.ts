export interface ServerSentEvent {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

export interface SseConnection {
  status: number;
  contentType: string | null;
  events: ServerSentEvent[];
  close(): void;
}

/** Opens an event stream with fetch and parses its events into `events` as they arrive. */
export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseConnection> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const events: ServerSentEvent[] = [];
  const connection: SseConnection = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    events,
    close: () => abort.abort(),
  };
  if (!response.body || response.status !== 200) return connection;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            if (colon < 0) continue;
            const key = line.slice(0, colon);
            fields[key] = (fields[key] ? `${fields[key]}\n` : '') + line.slice(colon + 1).trimStart();
          }
          if (fields['event'] !== undefined && fields['data'] !== undefined)
            events.push({
              ...(fields['id'] === undefined ? {} : { id: fields['id'] }),
              event: fields['event'],
              data: JSON.parse(fields['data']) as Record<string, unknown>,
            });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return connection;
}
