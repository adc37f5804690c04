import { type LogLine, type StageRef } from '@aviary/events';
import { type ObjectStore } from '@aviary/messaging';
import { CHUNK_LINES, chunkName, encodeChunk } from './log-chunks.js';
import { type LiveLog } from './live-log.js';
import { type Masker } from './masker.js';

export type LogStream = LogLine['stream'];

export interface StageLogOptions {
  ref: StageRef;
  store: ObjectStore;
  live: LiveLog;
  masker: Masker;
  /** Records how many lines are stored (the get-logs query reads up to there). */
  onStored: (lines: number) => Promise<void>;
  /** How often the chunk being filled is written (a running stage's log is readable this fresh). */
  persistMs?: number;
  now?: () => Date;
}

/**
 * The log of one stage attempt: every line masked, numbered, sent live and stored in chunks of
 * {@link CHUNK_LINES} lines in the object store. The chunk being filled is rewritten every
 * `persistMs`, so a running stage's log can be read too.
 */
export class StageLog {
  private seq = 0;
  private readonly chunks: LogLine[][] = [[]];
  private stored = 0;
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  constructor(private readonly options: StageLogOptions) {}

  /** Lines written so far. */
  get lines(): number {
    return this.seq;
  }

  write(stream: LogStream, text: string): void {
    const line: LogLine = {
      ...this.options.ref,
      seq: this.seq++,
      stream,
      time: (this.options.now?.() ?? new Date()).toISOString(),
      text: this.options.masker.mask(text),
    };
    this.options.live.add(line);
    let current = this.chunks.at(-1)!;
    if (current.length === CHUNK_LINES) {
      current = [];
      this.chunks.push(current);
      this.persist();
    }
    current.push(line);
    this.timer ??= setTimeout(() => this.persist(), this.options.persistMs ?? 1000);
  }

  system(text: string): void {
    this.write('system', text);
  }

  /** Sends and stores every line; rejects if a chunk could not be stored. */
  async close(): Promise<number> {
    await this.options.live.close();
    this.persist();
    await this.writing;
    if (this.failure) throw this.failure;
    return this.seq;
  }

  /** Writes the chunks not yet stored (each full one once, the last one as it is now). */
  private persist(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const first = Math.floor(this.stored / CHUNK_LINES);
    const pending = this.chunks
      .slice(first)
      .map((lines, i) => ({ index: first + i, lines: [...lines] }))
      .filter((chunk) => chunk.lines.length > 0);
    if (pending.length === 0) return;
    const total = pending.at(-1)!.index * CHUNK_LINES + pending.at(-1)!.lines.length;
    this.writing = this.writing.then(async () => {
      try {
        for (const chunk of pending)
          await this.options.store.put(chunkName(this.options.ref, chunk.index), encodeChunk(chunk.lines));
        this.stored = Math.max(this.stored, total);
        // Full chunks are never written again; free them.
        for (let i = 0; i < Math.floor(this.stored / CHUNK_LINES) && i < this.chunks.length - 1; i++)
          this.chunks[i] = [];
        await this.options.onStored(this.stored);
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
      }
    });
  }
}
