import { ReadRepositoryFile, type StageCommandData } from '@aviary/events';
import { type BusClient } from '@aviary/messaging';

export type RepositoryFile = { found: true; content: string } | { found: false; reason: string };

/**
 * A file of the application's repository at the commit a stage runs for, as the builder reads it;
 * when it cannot (no such file, or no builder answered in `timeoutMs`), the reason.
 */
export function readRepositoryFile(
  bus: BusClient,
  command: StageCommandData,
  path: string,
  timeoutMs: number,
): Promise<RepositoryFile> {
  return bus
    .query(
      ReadRepositoryFile,
      {
        application: command.application,
        repository: command.trigger.repository,
        sha: command.trigger.sha,
        path,
      },
      { timeoutMs },
    )
    .then(
      (reply): RepositoryFile =>
        reply.found ? { found: true, content: reply.content } : { found: false, reason: reply.reason },
      (error: unknown) => ({ found: false, reason: (error as Error).message }),
    );
}
