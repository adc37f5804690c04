import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

// Column types are explicit: tools that read the entities have no decorator metadata.

/** One analysis: a canary-analysis stage attempt, its plan and where it stands. */
@Entity({ name: 'analyses' })
@Index('analyses_running', ['status', 'leaseUntil'])
export class AnalysisRow {
  /** `<executionId>/<stageId>/<attempt>`: also the report id. */
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'execution_id', type: 'text' })
  executionId!: string;

  @Column({ name: 'stage_id', type: 'text' })
  stageId!: string;

  @Column({ type: 'int' })
  attempt!: number;

  @Column({ type: 'text' })
  application!: string;

  /** running, pass, marginal, fail, error, cancelled. */
  @Column({ type: 'text' })
  status!: string;

  /** The analysis as planned: scopes, source, targets, thresholds, step, intervals (JSON). */
  @Column({ type: 'jsonb' })
  spec!: unknown;

  /** The canary config judged with (Kayenta JSON). */
  @Column({ type: 'jsonb' })
  config!: unknown;

  @Column({ type: 'double precision', nullable: true })
  score!: number | null;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  @Column({ name: 'causation_id', type: 'text' })
  causationId!: string;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}

/** One judged interval: the report of it, and the pairs it judged (replays judge them again). */
@Entity({ name: 'analysis_intervals' })
export class IntervalRow {
  @PrimaryColumn({ name: 'analysis_id', type: 'text' })
  analysisId!: string;

  @PrimaryColumn({ type: 'int' })
  index!: number;

  @Column({ type: 'jsonb' })
  report!: unknown;

  @Column({ type: 'jsonb' })
  pairs!: unknown;

  @Column({ type: 'double precision' })
  score!: number;

  @Column({ name: 'judged_at', type: 'timestamptz' })
  judgedAt!: Date;
}

/** One scrape of one instance by the scrape source: the samples of the metrics the config reads. */
@Entity({ name: 'scrapes' })
@Index('scrapes_by_time', ['analysisId', 'side', 'scrapedAt'])
export class ScrapeRow {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'analysis_id', type: 'text' })
  analysisId!: string;

  @Column({ type: 'text' })
  side!: string;

  @Column({ type: 'text' })
  target!: string;

  @Column({ name: 'scraped_at', type: 'timestamptz' })
  scrapedAt!: Date;

  @Column({ type: 'jsonb' })
  samples!: unknown;
}

export const canaryEntities = [AnalysisRow, IntervalRow, ScrapeRow];
