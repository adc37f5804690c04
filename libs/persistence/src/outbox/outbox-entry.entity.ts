import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { type Envelope } from '@aviary/events';

/** A message written in the same transaction as the state change it announces, waiting for the relay. */
@Entity({ name: 'outbox' })
@Index('outbox_unsent', ['id'], { where: 'sent_at IS NULL' })
@Index('outbox_sent_at', ['sentAt'], { where: 'sent_at IS NOT NULL' })
export class OutboxEntry {
  /** Also the publishing order: rows go out in the order they were created. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ name: 'envelope_id', type: 'text', unique: true })
  envelopeId!: string;

  @Column({ type: 'jsonb' })
  envelope!: Envelope;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The relay that is publishing this row, until `claimedUntil`; another may take it over after. */
  @Column({ name: 'claimed_by', type: 'text', nullable: true })
  claimedBy!: string | null;

  @Column({ name: 'claimed_until', type: 'timestamptz', nullable: true })
  claimedUntil!: Date | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
