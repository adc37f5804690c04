import { type ServerResponse } from 'node:http';

const HEARTBEAT_MS = 15_000;

/**
 * A server-sent events response on a raw Node response: one `write` per event, a comment every 15 s
 * so proxies keep the connection, and `closed` once the client went away.
 */
export class SseStream {
  readonly closed: Promise<void>;
  private open = true;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly response: ServerResponse) {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 3000\n\n');
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.open = false;
        clearInterval(this.heartbeat);
        resolve();
      };
      response.once('close', done);
      response.once('error', done);
    });
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(event: { id?: string; event: string; data: unknown }): void {
    const lines = [
      ...(event.id === undefined ? [] : [`id: ${event.id}`]),
      `event: ${event.event}`,
      ...JSON.stringify(event.data)
        .split('\n')
        .map((line) => `data: ${line}`),
    ];
    this.write(`${lines.join('\n')}\n\n`);
  }

  end(): void {
    if (this.open) this.response.end();
  }

  private write(text: string): void {
    if (this.open) this.response.write(text);
  }
}
