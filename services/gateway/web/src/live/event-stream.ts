import { SseParser, type ServerSentEvent } from './sse-parser.js';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface EventStreamOptions {
  url: string;
  /** The bearer token, read at each (re)connection. */
  token: () => string | undefined;
  onEvent: (event: ServerSentEvent) => void;
  onState?: (state: StreamState) => void;
}

/**
 * Follows a server-sent event stream with fetch (EventSource cannot send a bearer token), and
 * reconnects after a drop with `Last-Event-ID`, so the gateway replays what was missed. Returns a
 * function that stops it.
 */
export function followEvents(options: EventStreamOptions): () => void {
  let stopped = false;
  let lastEventId: string | undefined;
  let controller: AbortController | undefined;
  let failures = 0;

  const run = async () => {
    while (!stopped) {
      options.onState?.(failures === 0 ? 'connecting' : 'reconnecting');
      controller = new AbortController();
      try {
        const token = options.token();
        const response = await fetch(options.url, {
          headers: {
            accept: 'text/event-stream',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
          },
          signal: controller.signal,
        });
        if (!response.ok || !response.body) throw new Error(`events answered ${response.status}`);
        options.onState?.('live');
        failures = 0;
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.feed(value)) {
            if (event.id !== undefined) lastEventId = event.id;
            options.onEvent(event);
          }
        }
      } catch {
        // dropped, refused or stopped: try again below unless stopped
      }
      if (stopped) return;
      failures += 1;
      options.onState?.('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** Math.min(failures, 5))));
    }
  };
  void run();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
