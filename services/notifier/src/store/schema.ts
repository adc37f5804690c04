/** `"schema".table`: statements here are raw SQL on the service's schema. */
export function qualified(schema: string, table: string): string {
  return `"${schema.replace(/"/g, '""')}".${table}`;
}

/**
 * The rows an `update ... returning` gave back: TypeORM's PostgreSQL driver answers an UPDATE or a
 * DELETE with `[rows, affected]`, and anything else with the rows.
 */
export function returned<T>(result: unknown): T[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  )
    return result[0] as T[];
  return result as T[];
}
