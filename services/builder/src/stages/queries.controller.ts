import { GetChangedLines, GetStageLogs, ReadRepositoryFile, type DataOf, type ReplyOf } from '@aviary/events';
import { BusExceptionFilter } from '@aviary/messaging';
import { Controller, Inject, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CheckoutError } from '../git/git-errors.js';
import { RepositoryCache } from '../git/repository-cache.js';
import { LogReader } from '../logs/log-reader.js';

/** Under NATS's 1 MB message limit with room for the envelope. */
const MAX_FILE_BYTES = 512 * 1024;
/** Line ranges in one diff reply (about 12 bytes each), under the same limit. */
const MAX_DIFF_RANGES = 40_000;

/** What other services ask the builder: a file of a repository at a commit, a stage's stored log. */
@Controller()
@UseFilters(BusExceptionFilter)
export class QueriesController {
  constructor(
    @Inject(RepositoryCache) private readonly repositories: RepositoryCache,
    @Inject(LogReader) private readonly logs: LogReader,
  ) {}

  /**
   * Read from the repository cache (fetching the commit if needed). What the user must fix (no such
   * repository, no access, no such commit or file) is a `found: false` with the reason; a transient
   * failure is an error, so the orchestrator asks again.
   */
  @MessagePattern(ReadRepositoryFile.subject)
  async readFile(
    @Payload() query: DataOf<typeof ReadRepositoryFile>,
  ): Promise<ReplyOf<typeof ReadRepositoryFile>> {
    let content: Buffer | undefined;
    try {
      content = await this.repositories.readFile(
        query.repository,
        query.sha,
        query.path,
        AbortSignal.timeout(60_000),
      );
    } catch (error) {
      if (error instanceof CheckoutError && !error.retryable) return { found: false, reason: error.message };
      throw error;
    }
    if (!content) return { found: false, reason: `${query.path} does not exist at ${query.sha}` };
    if (content.byteLength > MAX_FILE_BYTES)
      return {
        found: false,
        reason: `${query.path} is ${content.byteLength} bytes; at most ${MAX_FILE_BYTES} can be read`,
      };
    return { found: true, content: content.toString('utf8'), size: content.byteLength };
  }

  /** The changed lines between two commits, for new-code measures; user errors are `found: false`. */
  @MessagePattern(GetChangedLines.subject)
  async changedLines(
    @Payload() query: DataOf<typeof GetChangedLines>,
  ): Promise<ReplyOf<typeof GetChangedLines>> {
    let changed;
    try {
      changed = await this.repositories.changedLines(
        query.repository,
        query.base,
        query.head,
        AbortSignal.timeout(60_000),
      );
    } catch (error) {
      if (error instanceof CheckoutError && !error.retryable) return { found: false, reason: error.message };
      throw error;
    }
    const files: { path: string; ranges: [number, number][] }[] = [];
    let ranges = 0;
    for (const [path, lines] of Object.entries(changed)) {
      if (ranges + lines.length > MAX_DIFF_RANGES) return { found: true, files, truncated: true };
      files.push({ path, ranges: lines });
      ranges += lines.length;
    }
    return { found: true, files, truncated: false };
  }

  @MessagePattern(GetStageLogs.subject)
  stageLogs(@Payload() query: DataOf<typeof GetStageLogs>): Promise<ReplyOf<typeof GetStageLogs>> {
    return this.logs.page(query);
  }
}
