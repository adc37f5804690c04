import { type LogLine } from '@aviary/events';

/** At most this many bytes of text in one published message (far below NATS's 1 MB payload limit). */
const MAX_MESSAGE_TEXT = 64 * 1024;

/**
 * Publishes a stage's lines live, batched: lines wait up to `flushMs` and leave together. Within a
 * flush at most `linesPerSecond * flushMs / 1000` messages go out; when a chatty step writes more,
 * consecutive lines of one stream travel joined in one message (its `text` holds several lines,
 * its `seq` is the first one's), so a reader gets every line with far fewer messages.
 */
export class LiveLog {
  private queue: LogLine[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly perFlush: number;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly publish: (line: LogLine) => Promise<void>,
    private readonly options: { flushMs: number; linesPerSecond: number },
  ) {
    this.perFlush = Math.max(1, Math.floor((options.linesPerSecond * options.flushMs) / 1000));
  }

  add(line: LogLine): void {
    this.queue.push(line);
    this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
  }

  /** Sends what waits, and resolves when everything sent so far has left. */
  async close(): Promise<void> {
    this.flush();
    await this.sending;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.queue;
    this.queue = [];
    if (lines.length === 0) return;
    const messages = lines.length <= this.perFlush ? lines : this.merge(lines);
    // Best effort: a log line that cannot be published live is still stored.
    this.sending = this.sending.then(() =>
      Promise.all(messages.map((line) => this.publish(line).catch(() => undefined))).then(() => undefined),
    );
  }

  private merge(lines: LogLine[]): LogLine[] {
    const target = Math.max(1, Math.ceil(lines.length / this.perFlush));
    const merged: LogLine[] = [];
    let current: LogLine | undefined;
    let count = 0;
    for (const line of lines) {
      if (
        current &&
        current.stream === line.stream &&
        count < target &&
        current.text.length + line.text.length < MAX_MESSAGE_TEXT
      ) {
        current.text += `\n${line.text}`;
        count += 1;
        continue;
      }
      current = { ...line };
      count = 1;
      merged.push(current);
    }
    return merged;
  }
}
