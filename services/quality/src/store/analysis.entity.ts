import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Column types are explicit: tools that read the entities have no decorator metadata.

/** One evaluation: a quality-gate stage attempt, its measures and gate result; the history per application and branch. */
@Entity({ name: 'analyses' })
@Index('analyses_history', ['application', 'branch', 'evaluatedAt'])
@Index('analyses_stage', ['executionId', 'stageId', 'attempt'])
export class AnalysisRow {
  /** `<executionId>/<stageId>/<attempt>`: also the analysisId output and the report id. */
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

  @Column({ type: 'text', nullable: true })
  branch!: string | null;

  @Column({ type: 'text' })
  sha!: string;

  /** scan, gate, scan-and-gate. */
  @Column({ type: 'text' })
  mode!: string;

  /** aviary or sonarqube. */
  @Column({ type: 'text' })
  provider!: string;

  @Column({ name: 'gate_name', type: 'text' })
  gateName!: string;

  /** OK, WARN or ERROR. */
  @Column({ type: 'text' })
  status!: string;

  /** The whole project's measures (metric key -> number). */
  @Column({ type: 'jsonb' })
  measures!: Record<string, number>;

  /** The evaluation (analysis/evaluation.ts `Evaluation`): every project's conditions, unreadable reports, new code. */
  @Column({ type: 'jsonb' })
  result!: unknown;

  /** The reports read, kind -> artifact URL (a later gate stage reads them again). */
  @Column({ type: 'jsonb' })
  sources!: Record<string, string>;

  /**
   * What besides the reports decided the evaluation (gate, inline conditions, sub-projects, main
   * branch): a gate stage with the same settings judges a scan's evaluation as it is. None for
   * SonarQube's and for rows from before it was kept.
   */
  @Column({ name: 'gate_settings', type: 'jsonb', nullable: true })
  gateSettings!: object | null;

  /** The previous main build's evaluation, the base of new code and deltas. */
  @Column({ name: 'previous_id', type: 'text', nullable: true })
  previousId!: string | null;

  @Column({ name: 'evaluated_at', type: 'timestamptz' })
  evaluatedAt!: Date;
}

export const qualityEntities = [AnalysisRow];
