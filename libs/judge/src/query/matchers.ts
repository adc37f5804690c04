/** One PromQL label matcher, as written in a filter template or a labelBinding. */
export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** Parses `label op "value"`; undefined for anything else (the caller names the bad filter). */
export function parseMatcher(text: string): LabelMatcher | undefined {
  const match = MATCHER.exec(text);
  if (!match) return undefined;
  const value = match[3]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  return { label: match[1]!, op: match[2] as LabelMatcher['op'], value };
}

/** Does a label set satisfy the matcher? Regexes are anchored, as in PromQL. */
export function matches(labels: Record<string, string>, matcher: LabelMatcher): boolean {
  const actual = labels[matcher.label] ?? '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return new RegExp(`^(?:${matcher.value})$`).test(actual);
    case '!~':
      return !new RegExp(`^(?:${matcher.value})$`).test(actual);
  }
}
