import { useEffect, useRef, useState } from 'preact/hooks';
import { readToken } from '../auth/token-store.js';
import { followEvents, type StreamState } from './event-stream.js';
import { type ServerSentEvent } from './sse-parser.js';

/** An event of the gateway's stream: the envelope's useful part. */
export interface AviaryEvent {
  name: string;
  type: string;
  correlationid: string | undefined;
  data: Record<string, unknown>;
}

function parse(event: ServerSentEvent): AviaryEvent | undefined {
  try {
    const body = JSON.parse(event.data) as {
      type?: string;
      correlationid?: string;
      data?: Record<string, unknown>;
    };
    // log lines come bare (a LogLine), other events in their envelope
    if (event.event === 'log') return { name: 'log', type: 'log', correlationid: undefined, data: body };
    return {
      name: event.event,
      type: body.type ?? event.event,
      correlationid: body.correlationid,
      data: body.data ?? {},
    };
  } catch {
    return undefined;
  }
}

/**
 * Follows `/api/v1/events` with a filter while the component is shown; `onEvent` is called for each
 * event (the latest callback, so it may close over fresh state). Returns the connection's state.
 */
export function useEvents(query: string, onEvent: (event: AviaryEvent) => void): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    return followEvents({
      url: `/api/v1/events?${query}`,
      token: readToken,
      onEvent: (raw) => {
        const event = parse(raw);
        if (event) handler.current(event);
      },
      onState: setState,
    });
  }, [query]);
  return state;
}
