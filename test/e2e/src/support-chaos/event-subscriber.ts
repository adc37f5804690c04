/** One event as the gateway's stream (`GET /api/v1/events`) gives it. */
export interface StreamedExecutionEvent {
  /** Position in the events stream (the SSE id). */
  sequence: number;
  /** `execution.stage-changed`, `execution.completed`... */
  name: string;
  /** The envelope's id. */
  id: string;
  data: Record<string, unknown>;
}

/**
 * A user's live view of an application's events: the gateway's server-sent events, followed from the
 * first one, reconnecting with `Last-Event-ID` whenever the connection drops (a gateway killed and
 * restarted), so that it sees every event once however often it reconnects.
 */
export class EventSubscriber {
  readonly events: StreamedExecutionEvent[] = [];
  reconnections = 0;
  private lastSequence = 0;
  private stopped = false;
  private abort = new AbortController();
  private readonly running: Promise<void>;

  constructor(
    private readonly gatewayUrl: () => string,
    private readonly token: string,
    private readonly application: string,
  ) {
    this.running = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await this.running;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.read();
      } catch {
        // The gateway went away (or is not back yet): connect again from the last event seen.
      }
      if (this.stopped) return;
      this.reconnections += 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async read(): Promise<void> {
    this.abort = new AbortController();
    const response = await fetch(
      `${this.gatewayUrl()}/api/v1/events?application=${encodeURIComponent(this.application)}`,
      {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${this.token}`,
          'last-event-id': String(this.lastSequence),
        },
        signal: this.abort.signal,
      },
    );
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      throw new Error(`the event stream answered ${response.status}`);
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.take(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  }

  private take(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const key = line.slice(0, colon);
      fields[key] = (fields[key] === undefined ? '' : `${fields[key]}\n`) + line.slice(colon + 1).trimStart();
    }
    const { id, event, data } = fields;
    if (id === undefined || event === undefined || data === undefined) return;
    const envelope = JSON.parse(data) as { id: string; data: Record<string, unknown> };
    this.lastSequence = Number(id);
    this.events.push({ sequence: Number(id), name: event, id: envelope.id, data: envelope.data });
  }
}
