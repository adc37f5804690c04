import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to a misspelt word, if it is close enough to be what was meant (at most a
 * third of the word's letters differ), for "did you mean" hints.
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: { candidate: string; cost: number } | undefined;
  for (const candidate of candidates) {
    const cost = distance(word.toLowerCase(), candidate.toLowerCase());
    if (best === undefined || cost < best.cost) best = { candidate, cost };
  }
  if (best === undefined) return undefined;
  return best.cost <= Math.max(1, Math.ceil(Math.max(word.length, best.candidate.length) / 3))
    ? best.candidate
    : undefined;
}

/** `did you mean "x"?`, or a fallback hint listing what is allowed. */
export function didYouMean(word: string, candidates: readonly string[], what = 'one of'): string | undefined {
  const guess = nearest(word, candidates);
  if (guess !== undefined) return `did you mean "${guess}"?`;
  if (candidates.length === 0) return undefined;
  return candidates.length <= 15 ? `${what}: ${candidates.join(', ')}` : undefined;
}
