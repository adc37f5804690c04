import { type Issue, type Severity } from './rules.js';

/**
 * SonarQube's ratings, 1 (A) to 5 (E):
 * - reliability from the worst bug: none A, minor B, major C, critical D, blocker E (info bugs do not count);
 * - security the same from the worst vulnerability;
 * - maintainability from the technical debt ratio, the debt (minutes to fix the code smells) over
 *   the cost to write the code (30 minutes a line of code): up to 5 % A, 10 % B, 20 % C, 50 % D, above E.
 */
const BY_WORST: Record<Severity, number> = { info: 1, minor: 2, major: 3, critical: 4, blocker: 5 };

export function worstSeverityRating(issues: readonly Pick<Issue, 'severity'>[]): number {
  let rating = 1;
  for (const issue of issues) rating = Math.max(rating, BY_WORST[issue.severity]);
  return rating;
}

/** SonarQube's `sqale.development.cost`: minutes to write one line of code. */
export const DEVELOPMENT_COST_MINUTES_PER_LINE = 30;
const MAINTAINABILITY_GRID = [5, 10, 20, 50];

/** The debt ratio in percent, or undefined when there is debt but no size to weigh it against. */
export function debtRatio(debtMinutes: number, linesOfCode: number | undefined): number | undefined {
  if (debtMinutes === 0) return 0;
  if (!linesOfCode) return undefined;
  return (debtMinutes / (linesOfCode * DEVELOPMENT_COST_MINUTES_PER_LINE)) * 100;
}

export function maintainabilityRating(ratioPercent: number): number {
  const index = MAINTAINABILITY_GRID.findIndex((limit) => ratioPercent <= limit);
  return index === -1 ? 5 : index + 1;
}
