import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { formatPath, type Problem } from './problem.js';
import { type PipelineError } from './errors.js';

/**
 * Turns problems (paths in the data) into errors with positions in the YAML text. A path that does not
 * exist in the file (a missing key, a default) points at the nearest enclosing node that does.
 */
export class Locator {
  constructor(
    private readonly text: string,
    private readonly document: Document,
    private readonly lines: LineCounter,
  ) {}

  locate(problem: Problem): PipelineError {
    const offset = this.offsetOf(problem);
    const { line, col } = this.lines.linePos(offset);
    const error: PipelineError = {
      path: formatPath(problem.path),
      line,
      column: col,
      message: problem.message,
    };
    if (problem.hint !== undefined) error.hint = problem.hint;
    return error;
  }

  private offsetOf(problem: Problem): number {
    let node: Node | null = this.document.contents;
    let keyNode: Node | undefined;
    for (const segment of problem.path) {
      const found = this.child(node, segment);
      if (found === undefined) return this.start(node);
      [node, keyNode] = [found.value, found.key];
    }
    if (problem.atKey === true && keyNode !== undefined) return this.start(keyNode);
    if (node === null) return keyNode === undefined ? 0 : this.start(keyNode);
    const start = this.start(node);
    if (
      problem.offsetInValue !== undefined &&
      isScalar(node) &&
      typeof node.value === 'string' &&
      node.range
    ) {
      // The value appears as written in plain and most quoted scalars; elsewhere keep the node's start.
      const source = this.text.slice(node.range[0], node.range[1]);
      const at = source.indexOf(node.value);
      if (at >= 0) return node.range[0] + at + problem.offsetInValue;
    }
    return start;
  }

  private child(node: Node | null, segment: string | number): { key?: Node; value: Node | null } | undefined {
    const target = node !== null && isAlias(node) ? node.resolve(this.document) : node;
    if (isMap(target)) {
      const pair = target.items.find(
        (item) => isPair(item) && isScalar(item.key) && item.key.value === segment,
      );
      if (pair === undefined) return undefined;
      return { key: pair.key as Node, value: (pair.value as Node | null) ?? null };
    }
    if (isSeq(target) && typeof segment === 'number') {
      const item = target.items[segment] as Node | undefined;
      return item === undefined ? undefined : { value: item };
    }
    return undefined;
  }

  private start(node: Node | null | undefined): number {
    return node?.range?.[0] ?? 0;
  }
}
