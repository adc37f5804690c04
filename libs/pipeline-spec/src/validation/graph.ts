/** The stage DAG: cycles, transitive dependencies and a stable topological order. */

export type Edges = ReadonlyMap<string, readonly string[]>;

/**
 * Every elementary cycle reachable through dependsOn, each once, as the ids along it with the first
 * repeated at the end (`build -> deploy -> build`), starting from the stage listed first.
 */
export function findCycles(order: readonly string[], edges: Edges): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): void => {
    state.set(id, 'open');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...new Set(cycle)].sort().join('\u0000');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of order) if (!state.has(id)) visit(id);
  return cycles;
}

/** Each stage's transitive dependencies (for a DAG; a cycle's members simply include each other). */
export function upstreamOf(edges: Edges): Map<string, Set<string>> {
  const memo = new Map<string, Set<string>>();
  const collect = (id: string, trail: Set<string>): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const result = new Set<string>();
    trail.add(id);
    for (const dependency of edges.get(id) ?? []) {
      if (!edges.has(dependency)) continue;
      result.add(dependency);
      if (!trail.has(dependency)) for (const further of collect(dependency, trail)) result.add(further);
    }
    trail.delete(id);
    memo.set(id, result);
    return result;
  };
  for (const id of edges.keys()) collect(id, new Set());
  return memo;
}

/** Kahn's order, taking ready stages in the order they are listed, so the file's order wins ties. */
export function topologicalOrder(order: readonly string[], edges: Edges): string[] {
  const done = new Set<string>();
  const result: string[] = [];
  while (result.length < order.length) {
    const next = order.find(
      (id) => !done.has(id) && (edges.get(id) ?? []).every((dependency) => done.has(dependency)),
    );
    if (next === undefined) throw new Error('topologicalOrder: the graph has a cycle');
    done.add(next);
    result.push(next);
  }
  return result;
}
