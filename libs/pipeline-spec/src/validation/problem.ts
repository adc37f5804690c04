/** A path in the pipeline document: keys of mappings and indexes of lists. */
export type DocPath = readonly (string | number)[];

/** An error found before it has a position in the file. */
export interface Problem {
  path: DocPath;
  message: string;
  hint?: string;
  /** Point at the key of the last path segment rather than at its value (an unknown key). */
  atKey?: boolean;
  /** Point inside the string at `path`: the offset of the wrong part in that string's value. */
  offsetInValue?: number;
}

export function problem(path: DocPath, message: string, hint?: string): Problem {
  return hint === undefined ? { path, message } : { path, message, hint };
}

/** `stages[3].dependsOn[0]`, `triggers.branches`, `testEnv["MY-VAR"]`; the root is `(root)`. */
export function formatPath(path: DocPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? '(root)' : text;
}
