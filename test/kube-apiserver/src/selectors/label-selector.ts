import { badRequest } from '../api/errors.js';

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** A LabelSelector as objects carry it (Deployment.spec.selector and friends). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export type Labels = Record<string, string> | undefined;

export function matches(requirements: readonly Requirement[], labels: Labels): boolean {
  return requirements.every((r) => {
    const has = labels !== undefined && Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key]! : undefined;
    switch (r.operator) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(value!);
      case 'NotIn':
        return !has || !r.values.includes(value!);
    }
  });
}

const KEY = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const patterns: Array<[RegExp, (m: RegExpMatchArray) => Requirement]> = [
  [new RegExp(`^!(${KEY})$`), (m) => ({ key: m[1]!, operator: 'DoesNotExist', values: [] })],
  [new RegExp(`^(${KEY})$`), (m) => ({ key: m[1]!, operator: 'Exists', values: [] })],
  [
    new RegExp(`^(${KEY})\\s*(==|=)\\s*(${VALUE})$`),
    (m) => ({ key: m[1]!, operator: 'In', values: [m[3]!] }),
  ],
  [new RegExp(`^(${KEY})\\s*!=\\s*(${VALUE})$`), (m) => ({ key: m[1]!, operator: 'NotIn', values: [m[2]!] })],
  [
    new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`),
    (m) => ({
      key: m[1]!,
      operator: m[2] === 'in' ? 'In' : 'NotIn',
      values: m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== ''),
    }),
  ],
];

/** Parses the `labelSelector` query parameter: `a=b,c!=d,e in (f,g),h notin (i),j,!k`. */
export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  if (!text?.trim()) return [];
  return splitOutsideParentheses(text).map((part) => {
    const term = part.trim();
    for (const [pattern, build] of patterns) {
      const m = term.match(pattern);
      if (m) return build(m);
    }
    throw badRequest(
      `unable to parse requirement: found '${term}', expected: a valid label selector requirement`,
    );
  });
}

function splitOutsideParentheses(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** The requirements of a LabelSelector object; an unknown operator matches nothing, as in Kubernetes. */
export function requirementsOf(selector: LabelSelectorObject | undefined): Requirement[] {
  const fromLabels = Object.entries(selector?.matchLabels ?? {}).map(([key, value]): Requirement => ({
    key,
    operator: 'In',
    values: [value],
  }));
  const fromExpressions = (selector?.matchExpressions ?? []).map((e): Requirement => ({
    key: e.key,
    operator: (['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)
      ? e.operator
      : 'In') as Requirement['operator'],
    values: ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator) ? (e.values ?? []) : [],
  }));
  return [...fromLabels, ...fromExpressions];
}

/** The selector as the `labelSelector` query text (`Scale.status.selector`). */
export function selectorText(selector: LabelSelectorObject | undefined): string {
  return requirementsOf(selector)
    .map((r) => {
      if (r.operator === 'Exists') return r.key;
      if (r.operator === 'DoesNotExist') return `!${r.key}`;
      if (r.operator === 'In' && r.values.length === 1) return `${r.key}=${r.values[0]}`;
      return `${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${r.values.join(',')})`;
    })
    .join(',');
}
