/** NaN and infinities have no JSON (nor jsonb): written as Prometheus writes them, read back. */
export type JsonNumber = number | 'NaN' | '+Inf' | '-Inf';

export function toJsonNumber(value: number): JsonNumber {
  if (Number.isFinite(value)) return value;
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

export function fromJsonNumber(value: JsonNumber | null): number {
  if (typeof value === 'number') return value;
  if (value === '+Inf') return Number.POSITIVE_INFINITY;
  if (value === '-Inf') return Number.NEGATIVE_INFINITY;
  return Number.NaN;
}

/** Every number in a JSON-able value made safe for JSON. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'number') return toJsonNumber(value);
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}
