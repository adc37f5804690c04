import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type Provider = 'github' | 'gitlab' | 'bitbucket' | 'generic';

/** An application Aviary delivers: its repository, and the secret its webhooks are signed with. */
@Entity({ name: 'applications' })
@Index('applications_repository_key', ['repositoryKey'])
export class ApplicationEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'text' })
  provider!: Provider;

  @Column({ name: 'repository_url', type: 'text' })
  repositoryUrl!: string;

  /** `host/owner/name` in lower case, without `.git`: how a webhook's repository is matched. */
  @Column({ name: 'repository_key', type: 'text' })
  repositoryKey!: string;

  @Column({ name: 'default_branch', type: 'text' })
  defaultBranch!: string;

  /** Tag pushes start an execution only when set (until pipelines say so themselves). */
  @Column({ name: 'build_tags', type: 'boolean', default: false })
  buildTags!: boolean;

  /** AES-256-GCM, see SecretBox; never leaves the gateway in clear except once, at creation. */
  @Column({ name: 'webhook_secret_sealed', type: 'text' })
  webhookSecretSealed!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
