import { Inject, Injectable } from '@nestjs/common';
import { registerSecret } from '@aviary/observability';
import { Database } from '@aviary/persistence';
import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { type Role } from '../config/gateway-config.js';
import { ProblemException } from '../http/problem.js';
import { type Principal } from './access.js';
import { ApiTokenEntity } from './api-token.entity.js';
import { generateToken, sameDigest, tokenDigest } from './token-format.js';

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
}

function view(entity: ApiTokenEntity): TokenView {
  return {
    id: entity.id,
    name: entity.name,
    role: entity.role,
    createdBy: entity.createdBy,
    createdAt: entity.createdAt.toISOString(),
    expiresAt: entity.expiresAt?.toISOString() ?? null,
  };
}

@Injectable()
export class TokensService {
  constructor(@Inject(Database) private readonly database: Database) {}

  private get repository() {
    return this.database.dataSource.getRepository(ApiTokenEntity);
  }

  /** Creates a token and returns it in clear: the only time it is shown. */
  async create(
    input: { name: string; role: Role; expiresAt?: Date; token?: string },
    createdBy: string,
  ): Promise<TokenView & { token: string }> {
    const token = input.token ?? generateToken();
    registerSecret(token);
    const digest = tokenDigest(token);
    const entity = this.repository.create({
      id: randomUUID(),
      name: input.name,
      role: input.role,
      lookup: digest.lookup,
      tokenHash: digest.hash,
      createdBy,
      createdAt: new Date(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    });
    try {
      await this.repository.insert(entity);
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code === '23505')
        throw new ProblemException(409, `a token named "${input.name}" already exists`);
      throw error;
    }
    return { ...view(entity), token };
  }

  async list(): Promise<TokenView[]> {
    return (await this.repository.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } })).map(
      view,
    );
  }

  async revoke(id: string): Promise<void> {
    const result = await this.repository.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new ProblemException(404, `no active token has the id ${id}`);
  }

  /** The principal a token stands for, or undefined if it is unknown, revoked or expired. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const digest = tokenDigest(token);
    const candidates = await this.repository.find({ where: { lookup: digest.lookup, revokedAt: IsNull() } });
    const now = Date.now();
    for (const candidate of candidates) {
      if (!sameDigest(candidate.tokenHash, digest.hash)) continue;
      if (candidate.expiresAt && candidate.expiresAt.getTime() <= now) return undefined;
      return { name: candidate.name, role: candidate.role, via: 'token', id: candidate.id };
    }
    return undefined;
  }

  /**
   * On a first start (no token at all), creates the admin token: `preset` if given, else a new one.
   * Under a table lock, so that of several replicas starting together exactly one does it. Returns
   * the token when this call created it.
   */
  async bootstrapAdmin(
    preset: string | undefined,
  ): Promise<{ token: string; generated: boolean } | undefined> {
    return this.database.transaction(async (manager) => {
      await manager.query(`lock table "${this.database.schema}".api_tokens in exclusive mode`);
      if ((await manager.count(ApiTokenEntity)) > 0) return undefined;
      const token = preset ?? generateToken();
      registerSecret(token);
      const digest = tokenDigest(token);
      await manager.insert(ApiTokenEntity, {
        id: randomUUID(),
        name: 'bootstrap-admin',
        role: 'admin',
        lookup: digest.lookup,
        tokenHash: digest.hash,
        createdBy: 'bootstrap',
        createdAt: new Date(),
        expiresAt: null,
        revokedAt: null,
      });
      return { token, generated: preset === undefined };
    });
  }
}
