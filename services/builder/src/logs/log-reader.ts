import { type LogLine, type StageRef } from '@aviary/events';
import { type ObjectStore } from '@aviary/messaging';
import { type StageRuns } from '../store/stage-runs.js';
import { CHUNK_LINES, chunkName, decodeChunk, decodeCursor, encodeCursor } from './log-chunks.js';

export interface LogPageRequest {
  executionId: string;
  stageId: string;
  attempt?: number;
  cursor?: string;
  limit: number;
}

export interface LogPage {
  lines: LogLine[];
  nextCursor?: string;
  complete: boolean;
}

/** Pages of a stage attempt's stored log (the attempt asked for, else the latest one). */
export class LogReader {
  constructor(
    private readonly runs: StageRuns,
    private readonly store: ObjectStore,
  ) {}

  async page(request: LogPageRequest): Promise<LogPage> {
    const cursor = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
    if (request.cursor !== undefined && !cursor) throw new Error(`invalid cursor "${request.cursor}"`);
    const attempt =
      cursor?.attempt ??
      request.attempt ??
      (await this.runs.latestAttempt(request.executionId, request.stageId));
    if (attempt === undefined) return { lines: [], complete: false };
    const ref: StageRef = { executionId: request.executionId, stageId: request.stageId, attempt };
    const state = await this.runs.logState(ref);
    if (!state) return { lines: [], complete: false };
    const from = cursor?.line ?? 0;
    const to = Math.min(state.lines, from + request.limit);
    const lines: LogLine[] = [];
    for (let chunk = Math.floor(from / CHUNK_LINES); chunk * CHUNK_LINES < to; chunk++) {
      const data = await this.store.get(chunkName(ref, chunk));
      if (!data) break;
      for (const line of decodeChunk(data)) if (line.seq >= from && line.seq < to) lines.push(line);
    }
    const end = from + lines.length;
    return {
      lines,
      ...(end < state.lines ? { nextCursor: encodeCursor(attempt, end) } : {}),
      complete: state.complete && end >= state.lines,
    };
  }
}
