import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who did what, when, from where, and how it ended: one row per mutating call, allowed or not. */
@Entity({ name: 'audit_records' })
export class AuditRecordEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  role!: string | null;

  @Column({ type: 'text' })
  via!: string;

  /** `POST /api/v1/applications`: the method and the route pattern. */
  @Column({ type: 'text' })
  action!: string;

  /** The resource acted on: the route parameters (`name=orders`). */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  @Column({ type: 'integer' })
  status!: number;

  @Column({ type: 'text' })
  outcome!: 'succeeded' | 'failed' | 'denied';

  @Column({ name: 'source_address', type: 'text' })
  sourceAddress!: string;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent!: string | null;
}
