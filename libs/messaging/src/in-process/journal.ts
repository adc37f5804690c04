import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A message a consumer (or, on a work queue, no consumer yet) still owes an ack for. */
export interface JournaledMessage {
  seq: number;
  subject: string;
  payload: Uint8Array;
  time: number;
  /** Delivered at least once before the process stopped: its handler may have been cut off mid-way. */
  delivered: boolean;
}

/** Who holds a journaled message: a durable consumer, or the work queue while no consumer takes it. */
export const UNCLAIMED = '_unclaimed';

interface StoredForm {
  subject: string;
  time: number;
  payload: string;
}

const PENDING = '.msg';
const DELIVERED = '.sent';
const SEQUENCE = 'last-seq';

/**
 * What the in-process broker must not lose when its process stops: the messages each durable
 * consumer has not acknowledged yet (and work-queue messages no consumer took yet), one small file
 * each, written before `publish` returns and removed on ack, plus each stream's last sequence. A
 * restarted broker hands them back to their consumers as they come back, the way JetStream's file
 * storage keeps a consumer's pending messages across a server restart. Messages already
 * acknowledged and core (non-stream) messages are not kept.
 */
export class BrokerJournal {
  private readonly restored = new Map<string, JournaledMessage[]>();
  private readonly lastSeq = new Map<string, number>();
  private readonly folders = new Set<string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const stream of readdirSync(dir)) {
      const streamDir = join(dir, stream);
      let highest = 0;
      for (const holder of readdirSync(streamDir, { withFileTypes: true })) {
        if (!holder.isDirectory()) continue;
        const messages: JournaledMessage[] = [];
        for (const file of readdirSync(join(streamDir, holder.name))) {
          const delivered = file.endsWith(DELIVERED);
          if (!delivered && !file.endsWith(PENDING)) continue;
          const seq = Number.parseInt(file, 10);
          try {
            const stored = JSON.parse(readFileSync(join(streamDir, holder.name, file), 'utf8')) as StoredForm;
            messages.push({
              seq,
              subject: stored.subject,
              time: stored.time,
              payload: Buffer.from(stored.payload, 'base64'),
              delivered,
            });
            highest = Math.max(highest, seq);
          } catch {
            // A file cut short by the stop itself: its message was never acknowledged as published.
            rmSync(join(streamDir, holder.name, file), { force: true });
          }
        }
        messages.sort((a, b) => a.seq - b.seq);
        this.restored.set(this.key(decodeURIComponent(stream), decodeURIComponent(holder.name)), messages);
      }
      try {
        highest = Math.max(highest, Number(readFileSync(join(streamDir, SEQUENCE), 'utf8')) || 0);
      } catch {
        // No sequence written yet.
      }
      this.lastSeq.set(decodeURIComponent(stream), highest);
    }
  }

  /** The last sequence the stream gave out before the restart (0 for a new stream). */
  sequence(stream: string): number {
    return this.lastSeq.get(stream) ?? 0;
  }

  advance(stream: string, seq: number): void {
    this.lastSeq.set(stream, seq);
    writeFileSync(join(this.streamDir(stream), SEQUENCE), String(seq));
  }

  /** The messages `holder` had not acknowledged when the process stopped; given out once. */
  take(stream: string, holder: string): JournaledMessage[] {
    const key = this.key(stream, holder);
    const messages = this.restored.get(key) ?? [];
    this.restored.delete(key);
    return messages;
  }

  record(
    stream: string,
    holder: string,
    message: { seq: number; subject: string; payload: Uint8Array; time: number },
  ): void {
    const stored: StoredForm = {
      subject: message.subject,
      time: message.time,
      payload: Buffer.from(message.payload).toString('base64'),
    };
    const folder = this.holderDir(stream, holder);
    const file = join(folder, `${message.seq}${PENDING}`);
    // Written whole then renamed, so a stop mid-write never leaves half a message under its name.
    writeFileSync(`${file}.tmp`, JSON.stringify(stored));
    renameSync(`${file}.tmp`, file);
  }

  markDelivered(stream: string, holder: string, seq: number): void {
    const folder = this.holderDir(stream, holder);
    try {
      renameSync(join(folder, `${seq}${PENDING}`), join(folder, `${seq}${DELIVERED}`));
    } catch {
      // Already marked (a redelivery), or already removed.
    }
  }

  remove(stream: string, holder: string, seq: number): void {
    const folder = this.holderDir(stream, holder);
    rmSync(join(folder, `${seq}${PENDING}`), { force: true });
    rmSync(join(folder, `${seq}${DELIVERED}`), { force: true });
  }

  private key(stream: string, holder: string): string {
    return `${stream}\u0000${holder}`;
  }

  private streamDir(stream: string): string {
    return this.folder(join(this.dir, encodeURIComponent(stream)));
  }

  private holderDir(stream: string, holder: string): string {
    return this.folder(join(this.streamDir(stream), encodeURIComponent(holder)));
  }

  private folder(path: string): string {
    if (!this.folders.has(path)) {
      mkdirSync(path, { recursive: true });
      this.folders.add(path);
    }
    return path;
  }
}
