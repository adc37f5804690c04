import { type LogLine, type StageRef } from '@aviary/events';

/** Lines per stored chunk: a page read touches one or two objects. */
export const CHUNK_LINES = 500;
export const LOGS_BUCKET = 'logs';

function part(value: string): string {
  return encodeURIComponent(value);
}

/** `<execution>/<stage>/<attempt>/<chunk>.jsonl` in the `logs` bucket. */
export function chunkName(ref: StageRef, chunk: number): string {
  return `${part(ref.executionId)}/${part(ref.stageId)}/${ref.attempt}/${String(chunk).padStart(6, '0')}.jsonl`;
}

export function encodeChunk(lines: LogLine[]): Uint8Array {
  return new TextEncoder().encode(lines.map((line) => JSON.stringify(line)).join('\n'));
}

export function decodeChunk(data: Uint8Array): LogLine[] {
  const text = new TextDecoder().decode(data);
  return text.length === 0 ? [] : text.split('\n').map((line) => JSON.parse(line) as LogLine);
}

/** The opaque cursor of the get-logs query: which attempt, from which line. */
export function encodeCursor(attempt: number, line: number): string {
  return `${attempt}:${line}`;
}

export function decodeCursor(cursor: string): { attempt: number; line: number } | undefined {
  const match = /^(\d{1,9}):(\d{1,12})$/.exec(cursor);
  return match ? { attempt: Number(match[1]), line: Number(match[2]) } : undefined;
}
