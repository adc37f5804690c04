/** A report that cannot be read: the gate then fails with "report unreadable", never passes. */
export class ReportError extends Error {
  override readonly name = 'ReportError';

  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** JSON.parse with the failure named after the file. */
export function parseJson(file: string, text: string): unknown {
  if (text.trim() === '') throw new ReportError(file, 'the file is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ReportError(file, `not JSON: ${(error as Error).message}`);
  }
}

/** Where zod found a report's shape wrong, in words (the first three problems). */
export function shapeProblem(
  what: string,
  issues: readonly { path: PropertyKey[]; message: string }[],
): string {
  const listed = issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return `not ${what}: ${listed}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`;
}
