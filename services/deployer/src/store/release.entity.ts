import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { type Release } from '../release/release.js';

// Column types are explicit: tools that read the entities have no decorator metadata.

/** One release: the state machine's state, and the whole release as the runner keeps it. */
@Entity({ name: 'releases' })
@Index('releases_by_application', ['application', 'environment', 'createdAt'])
export class ReleaseRow {
  /** `<executionId>/<stageId>/<attempt>` of the stage that made it. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  application!: string;

  @Column({ type: 'text' })
  environment!: string;

  @Column({ type: 'text' })
  state!: string;

  @Column({ type: 'jsonb' })
  release!: Release;

  /** Until when the replica running it holds it (heartbeats extend it). */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** A cancel that reached another replica than the one running it. */
  @Column({ name: 'cancel_reason', type: 'text', nullable: true })
  cancelReason!: string | null;

  @Column({ name: 'retire_at', type: 'timestamptz', nullable: true })
  retireAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Promote and rollback commands done, so that a repeated one is not run twice. */
@Entity({ name: 'release_operations' })
export class ReleaseOperationRow {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'release_id', type: 'text' })
  releaseId!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  status!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const deployerEntities = [ReleaseRow, ReleaseOperationRow];
