import 'reflect-metadata';
import { type DataOf, GetChangedLines, ReadRepositoryFile } from '@aviary/events';
import { BusExceptionFilter, createJetStreamBus, type Bus } from '@aviary/messaging';
import { parseUnifiedDiff } from '@aviary/quality-gate';
import { Controller, Inject, Module, UseFilters, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pino } from 'pino';

const GIT_ENV = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com',
};

/** A real git repository on disk that tests commit to. */
export class GitRepository {
  readonly dir = mkdtempSync(join(tmpdir(), 'aviary-quality-repo-'));

  constructor() {
    this.git('init', '--quiet', '-b', 'main');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: GIT_ENV, encoding: 'utf8', maxBuffer: 64 << 20 });
  }

  commit(files: Record<string, string>): string {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), content);
    }
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', 'change');
    return this.git('rev-parse', 'HEAD').trim();
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const REPO = Symbol('REPO');

/**
 * The builder's part the quality service asks for, answered from a local repository with real git:
 * the diff query (the real one is tested in services/builder) and the read of a gate file.
 */
@Controller()
@UseFilters(BusExceptionFilter)
class BuilderQueries {
  constructor(@Inject(REPO) private readonly repo: GitRepository) {}

  @MessagePattern(GetChangedLines.subject)
  diff(@Payload() query: DataOf<typeof GetChangedLines>) {
    const changed = parseUnifiedDiff(
      this.repo.git('diff', '--unified=0', '--find-renames', query.base, query.head),
    );
    return {
      found: true,
      truncated: false,
      files: Object.entries(changed).map(([path, ranges]) => ({ path, ranges })),
    };
  }

  @MessagePattern(ReadRepositoryFile.subject)
  read(@Payload() query: DataOf<typeof ReadRepositoryFile>) {
    try {
      const content = this.repo.git('show', `${query.sha}:${query.path}`);
      return { found: true, content, size: Buffer.byteLength(content) };
    } catch {
      return { found: false, reason: `${query.path} does not exist at ${query.sha}` };
    }
  }
}

export interface BuilderStandIn {
  close(): Promise<void>;
}

export async function startBuilderStandIn(
  names: { natsUrl: string; subjectRoot: string; streamPrefix: string },
  repo: GitRepository,
): Promise<BuilderStandIn> {
  const bus: Bus = createJetStreamBus({
    service: 'builder-stand-in',
    servers: names.natsUrl,
    subjectRoot: names.subjectRoot,
    streamPrefix: names.streamPrefix,
    logger: pino({ level: 'silent' }),
  });
  @Module({ controllers: [BuilderQueries], providers: [{ provide: REPO, useValue: repo }] })
  class StandInModule {}
  const app: INestMicroservice = await NestFactory.createMicroservice(StandInModule, {
    strategy: bus.server,
    logger: false,
  });
  await app.listen();
  return {
    close: async () => {
      await app.close();
      await bus.close();
    },
  };
}
