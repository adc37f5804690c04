import { Inject, Injectable } from '@nestjs/common';
import { registerSecret } from '@aviary/observability';
import { Database } from '@aviary/persistence';
import { randomBytes, randomUUID } from 'node:crypto';
import { In } from 'typeorm';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.js';
import { SecretBox } from '../crypto/secret-box.js';
import { ProblemException } from '../http/problem.js';
import { ApplicationEntity, type Provider } from './application.entity.js';
import {
  type ApplicationView,
  type CreateApplicationBody,
  type UpdateApplicationBody,
} from './application.schemas.js';
import { repositoryKey } from './repository-key.js';

/** An application with its webhook secret in clear, for verifying a signature; never serialized. */
export interface ApplicationWithSecret {
  name: string;
  provider: Provider;
  repositoryUrl: string;
  defaultBranch: string;
  buildTags: boolean;
  secret: string;
}

function view(entity: ApplicationEntity): ApplicationView {
  return {
    name: entity.name,
    provider: entity.provider,
    repositoryUrl: entity.repositoryUrl,
    defaultBranch: entity.defaultBranch,
    buildTags: entity.buildTags,
    webhookPath:
      entity.provider === 'generic' ? `/webhooks/generic/${entity.name}` : `/webhooks/${entity.provider}`,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt.toISOString(),
    updatedAt: entity.updatedAt.toISOString(),
  };
}

function isUniqueViolation(error: unknown): boolean {
  return (
    (error as { code?: string } | undefined)?.code === '23505' ||
    (error as { driverError?: { code?: string } })?.driverError?.code === '23505'
  );
}

/**
 * How long a webhook's application lookup is reused. Another replica's change to an application
 * (a rotated secret, a new repository) is seen by this one within that time; its own at once.
 */
const LOOKUP_TTL_MS = 5000;

@Injectable()
export class ApplicationsService {
  private readonly box: SecretBox;
  private readonly lookups = new Map<string, { expires: number; found: Promise<ApplicationWithSecret[]> }>();

  constructor(
    private readonly database: Database,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.box = new SecretBox(config.secretKey);
  }

  private get repository() {
    return this.database.dataSource.getRepository(ApplicationEntity);
  }

  async create(
    body: CreateApplicationBody,
    actor: string,
  ): Promise<ApplicationView & { webhookSecret: string }> {
    const secret = body.webhookSecret ?? randomBytes(32).toString('base64url');
    registerSecret(secret);
    const now = new Date();
    const entity = this.repository.create({
      id: randomUUID(),
      name: body.name,
      provider: body.provider,
      repositoryUrl: body.repositoryUrl,
      repositoryKey: repositoryKey(body.repositoryUrl)!,
      defaultBranch: body.defaultBranch,
      buildTags: body.buildTags,
      webhookSecretSealed: this.box.seal(secret, body.name),
      createdBy: actor,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await this.repository.insert(entity);
      this.lookups.clear();
    } catch (error) {
      if (isUniqueViolation(error))
        throw new ProblemException(409, `an application named "${body.name}" already exists`);
      throw error;
    }
    return { ...view(entity), webhookSecret: secret };
  }

  async list(): Promise<ApplicationView[]> {
    return (await this.repository.find({ order: { name: 'ASC' } })).map(view);
  }

  async get(name: string): Promise<ApplicationView> {
    return view(await this.entity(name));
  }

  async update(name: string, body: UpdateApplicationBody): Promise<ApplicationView> {
    const entity = await this.entity(name);
    if (body.provider !== undefined) entity.provider = body.provider;
    if (body.repositoryUrl !== undefined) {
      entity.repositoryUrl = body.repositoryUrl;
      entity.repositoryKey = repositoryKey(body.repositoryUrl)!;
    }
    if (body.defaultBranch !== undefined) entity.defaultBranch = body.defaultBranch;
    if (body.buildTags !== undefined) entity.buildTags = body.buildTags;
    if (body.webhookSecret !== undefined) {
      registerSecret(body.webhookSecret);
      entity.webhookSecretSealed = this.box.seal(body.webhookSecret, entity.name);
    }
    entity.updatedAt = new Date();
    await this.repository.save(entity);
    this.lookups.clear();
    return view(entity);
  }

  async remove(name: string): Promise<void> {
    const result = await this.repository.delete({ name });
    this.lookups.clear();
    if (!result.affected) throw this.notFound(name);
  }

  /**
   * The applications of a provider whose repository has one of these keys, with their secrets;
   * reused for a few seconds, as every webhook of a burst asks the same.
   */
  byRepository(provider: Provider, keys: string[]): Promise<ApplicationWithSecret[]> {
    if (keys.length === 0) return Promise.resolve([]);
    const key = `${provider}\u0000${[...keys].sort().join('\u0000')}`;
    const now = Date.now();
    const cached = this.lookups.get(key);
    if (cached && cached.expires > now) return cached.found;
    const found = this.repository
      .find({ where: { provider, repositoryKey: In(keys) } })
      .then((entities) => entities.map((entity) => this.withSecret(entity)));
    this.lookups.set(key, { expires: now + LOOKUP_TTL_MS, found });
    // A failed lookup is not reused.
    found.catch(() => this.lookups.delete(key));
    if (this.lookups.size > 10_000) this.lookups.clear();
    return found;
  }

  async byName(name: string): Promise<ApplicationWithSecret | undefined> {
    const entity = await this.repository.findOne({ where: { name } });
    return entity ? this.withSecret(entity) : undefined;
  }

  private withSecret(entity: ApplicationEntity): ApplicationWithSecret {
    const secret = this.box.open(entity.webhookSecretSealed, entity.name);
    registerSecret(secret);
    return {
      name: entity.name,
      provider: entity.provider,
      repositoryUrl: entity.repositoryUrl,
      defaultBranch: entity.defaultBranch,
      buildTags: entity.buildTags,
      secret,
    };
  }

  private async entity(name: string): Promise<ApplicationEntity> {
    const entity = await this.repository.findOne({ where: { name } });
    if (!entity) throw this.notFound(name);
    return entity;
  }

  private notFound(name: string): ProblemException {
    return new ProblemException(404, `no application is named "${name}"`);
  }
}
