import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Envelope } from '@aviary/events';
import { type Logger } from 'pino';
import { Backoff } from '../backoff.js';
import { type Database, DatabaseUnavailableError } from '../database.js';
import { ADVISORY_LOCK_CLASS } from '../migrate.js';
import { InboxEntry } from './inbox-entry.entity.js';
import { OutboxEntry } from './outbox-entry.entity.js';
import { tableName } from './table-name.js';

/**
 * What the relay needs from the bus. Publishing the same envelope id twice must be harmless (the
 * JetStream client sets `Nats-Msg-Id` to it), because a relay that dies between publishing a row
 * and marking it sent leaves it to be published again.
 */
export interface EnvelopePublisher {
  publishEnvelope(subject: string, envelope: Envelope): Promise<void>;
}

/** Test hooks that simulate a crash at a precise point by throwing. */
export interface OutboxRelayFaults {
  beforePublish?: (envelopeId: string) => void | Promise<void>;
  afterPublish?: (envelopeId: string) => void | Promise<void>;
}

export interface OutboxRelayOptions {
  /** How often to look for rows when nobody pokes the relay. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** How long a claim keeps other relays off a row; after it, a crashed relay's rows are taken over. */
  claimTtlMs?: number;
  /** First wait after a failed publish; doubles up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Sent rows are deleted after this long (the JetStream dedupe window is far shorter). */
  retentionMs?: number;
  /** Inbox rows (see handleOnce) are deleted after this long; keep it above the longest redelivery. */
  inboxRetentionMs?: number;
  pruneIntervalMs?: number;
  logger?: Logger;
  faults?: OutboxRelayFaults;
}

interface ClaimedRow {
  id: string;
  subject: string;
  envelope: Envelope;
}

const HOUR_MS = 3_600_000;
const PRUNE_BATCH = 10_000;

/**
 * Publishes what services enqueued, in order of creation, and marks it sent.
 *
 * A relay claims a batch for `claimTtlMs` in a short transaction, then publishes outside any
 * transaction: holding one open across a publish would stall every other service on a shared
 * PGlite, and a slow bus would pin a PostgreSQL connection per replica. Claims are serialised by an
 * advisory lock and skip rows another claim is locking (`FOR UPDATE SKIP LOCKED`); a relay claims
 * nothing while another holds a live claim on unsent rows, so among replicas one publishes at a
 * time and the order holds across them. A relay that stops releases its claims; one that dies
 * leaves them to expire.
 */
export class OutboxRelay {
  private readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly claimTtlMs: number;
  private readonly retentionMs: number;
  private readonly inboxRetentionMs: number;
  private readonly pruneIntervalMs: number;
  private readonly backoff: Backoff;
  private running: Promise<void> | undefined;
  private stopping = false;
  private poked = false;
  private wake: (() => void) | undefined;
  private lastPruneAt = 0;
  private readonly immediate = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly publisher: EnvelopePublisher,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 100;
    this.claimTtlMs = options.claimTtlMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 24 * HOUR_MS;
    this.inboxRetentionMs = options.inboxRetentionMs ?? 7 * 24 * HOUR_MS;
    this.pruneIntervalMs = options.pruneIntervalMs ?? 60_000;
    this.backoff = new Backoff(options.retryDelayMs ?? 500, options.maxRetryDelayMs ?? 30_000);
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Call after a commit that enqueued something: publishes now instead of at the next poll. */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /**
   * Publishes messages whose transaction has just committed, at once, without a claim: for a service
   * on a latency-critical path, which hands over what it enqueued right after its commit (instead of
   * poking). They are marked sent once published. One that fails stays for the loop, which publishes
   * it in order at its next round; one the loop publishes at the same moment reaches the bus once
   * (same envelope id). The price: such messages may go out ahead of older unsent rows.
   */
  publishCommitted(messages: readonly { subject: string; envelope: Envelope }[]): void {
    if (this.stopping || messages.length === 0) return;
    const publishing = this.publishNow(messages).finally(() => this.immediate.delete(publishing));
    this.immediate.add(publishing);
  }

  /** Finishes the row in flight, releases the rest of the batch for another relay, and returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    await Promise.all(this.immediate);
    this.running = undefined;
  }

  /** Never rejects: what could not be published or marked is the loop's to finish. */
  private async publishNow(messages: readonly { subject: string; envelope: Envelope }[]): Promise<void> {
    // Started in order, so they reach the bus in order; awaited together.
    const outcomes = await Promise.allSettled(
      messages.map(({ subject, envelope }) => this.publisher.publishEnvelope(subject, envelope)),
    );
    const sent = messages.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((m) => m.envelope.id);
    if (sent.length < messages.length) this.poke();
    if (sent.length === 0) return;
    try {
      const manager = this.db.dataSource.manager;
      await manager.query(
        `update ${tableName(manager, OutboxEntry)}
         set sent_at = now(), claimed_by = null, claimed_until = null
         where envelope_id = any($1::text[]) and sent_at is null`,
        [sent],
      );
    } catch (error) {
      this.options.logger?.warn({ err: error, relay: this.id }, 'could not mark published messages sent');
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        const claimed = await this.claim();
        const published = await this.publish(claimed);
        await this.pruneIfDue();
        if (published < claimed.length) {
          await this.pause(this.backoff.next(), false);
        } else {
          this.backoff.reset();
          if (claimed.length < this.batchSize) await this.pause(this.pollIntervalMs, true);
        }
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) {
          // Not connected yet (or closed): look again at the poll rate, so that rows go out as soon as
          // the database is ready rather than after a backoff that grew while it was starting.
          await this.pause(this.pollIntervalMs, true);
          continue;
        }
        const retryInMs = this.backoff.next();
        this.options.logger?.warn({ err: error, relay: this.id, retryInMs }, 'outbox relay round failed');
        await this.pause(retryInMs, false);
      }
    }
    await this.releaseClaims().catch(() => undefined);
  }

  /** A poke cuts short the wait for the next poll, never the backoff after a failure. */
  private pause(ms: number, pokeable: boolean): Promise<void> {
    if (this.stopping || (pokeable && this.poked)) {
      this.poked = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        if (!this.stopping && !pokeable) return;
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = undefined;
      if (pokeable) this.poked = false;
    });
  }

  private claim(): Promise<ClaimedRow[]> {
    return this.db.transaction(async (manager) => {
      const outbox = tableName(manager, OutboxEntry);
      // A claim need not survive a database crash (the rows are then simply claimed again, and
      // JetStream drops what is published twice), so its commit does not wait for the disk: one
      // flush fewer between a service's commit and the publish of what it enqueued.
      await manager.query(
        `select set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock($1, hashtext($2))`,
        [ADVISORY_LOCK_CLASS, `${this.db.schema}.outbox-relay`],
      );
      const [rows] = await manager.query<[ClaimedRow[], number]>(
        `with claimable as (
           select id from ${outbox}
           where sent_at is null and (claimed_until is null or claimed_until < now() or claimed_by = $1)
           order by id
           limit $2
           for update skip locked
         )
         update ${outbox} o
         set claimed_by = $1, claimed_until = now() + make_interval(secs => $3)
         from claimable
         where o.id = claimable.id
           and not exists (
             select 1 from ${outbox} other
             where other.sent_at is null and other.claimed_by <> $1 and other.claimed_until >= now()
           )
         returning o.id, o.subject, o.envelope`,
        [this.id, this.batchSize, this.claimTtlMs / 1_000],
      );
      return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    });
  }

  /** Publishes rows in order and stops at the first failure, so nothing overtakes a failed row. */
  private async publish(rows: ClaimedRow[]): Promise<number> {
    const faults = this.options.faults;
    const sent: string[] = [];
    for (const row of rows) {
      if (this.stopping) break;
      try {
        await faults?.beforePublish?.(row.envelope.id);
        await this.publisher.publishEnvelope(row.subject, row.envelope);
        await faults?.afterPublish?.(row.envelope.id);
      } catch (error) {
        await this.markSent(sent);
        await this.recordFailure(row, error as Error);
        await this.releaseClaims();
        return sent.length;
      }
      sent.push(row.id);
    }
    await this.markSent(sent);
    if (sent.length < rows.length) await this.releaseClaims();
    return sent.length;
  }

  /** One statement for the whole batch: a crash before it only makes JetStream drop repeats. */
  private async markSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const manager = this.db.dataSource.manager;
    await manager.query(
      `update ${tableName(manager, OutboxEntry)}
       set sent_at = now(), claimed_by = null, claimed_until = null where id = any($1::bigint[])`,
      [ids],
    );
  }

  private async recordFailure(row: ClaimedRow, error: Error): Promise<void> {
    this.options.logger?.warn(
      { err: error, relay: this.id, subject: row.subject, envelopeId: row.envelope.id },
      'outbox publish failed; will retry',
    );
    const manager = this.db.dataSource.manager;
    await manager.query(
      `update ${tableName(manager, OutboxEntry)} set attempts = attempts + 1, last_error = $2 where id = $1`,
      [row.id, error.message],
    );
  }

  private async releaseClaims(): Promise<void> {
    const manager = this.db.dataSource.manager;
    await manager.query(
      `update ${tableName(manager, OutboxEntry)}
       set claimed_by = null, claimed_until = null where claimed_by = $1 and sent_at is null`,
      [this.id],
    );
  }

  private async pruneIfDue(): Promise<void> {
    if (Date.now() - this.lastPruneAt < this.pruneIntervalMs) return;
    this.lastPruneAt = Date.now();
    await this.db.transaction(async (manager) => {
      const outbox = tableName(manager, OutboxEntry);
      const inbox = tableName(manager, InboxEntry);
      await manager.query(
        `delete from ${outbox} where id in (
           select id from ${outbox} where sent_at < now() - make_interval(secs => $1) limit ${PRUNE_BATCH})`,
        [this.retentionMs / 1_000],
      );
      await manager.query(
        `delete from ${inbox} where ctid in (
           select ctid from ${inbox} where handled_at < now() - make_interval(secs => $1) limit ${PRUNE_BATCH})`,
        [this.inboxRetentionMs / 1_000],
      );
    });
  }
}
