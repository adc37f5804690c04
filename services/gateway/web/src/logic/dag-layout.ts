import { pipelineOrder } from './stage-view.js';

/** Node size and gaps of the stage graph, in SVG units. */
export const NODE = { width: 168, height: 52, columnGap: 44, rowGap: 16, margin: 8 };

export interface DagNode {
  id: string;
  column: number;
  row: number;
  x: number;
  y: number;
}

export interface DagEdge {
  from: string;
  to: string;
  /** An SVG path from the right side of `from` to the left side of `to`. */
  path: string;
}

export interface DagLayout {
  nodes: DagNode[];
  edges: DagEdge[];
  width: number;
  height: number;
}

/**
 * Lays stages out left to right: a stage's column is the length of its longest chain of
 * dependencies, so stages that run side by side share a column (parallel branches stacked).
 */
export function layoutDag(stages: Array<{ stageId: string; dependsOn: string[] }>): DagLayout {
  const byId = new Map(stages.map((s) => [s.stageId, s]));
  const column = new Map<string, number>();
  for (const id of pipelineOrder(stages)) {
    const deps = byId.get(id)!.dependsOn.filter((d) => byId.has(d));
    column.set(id, deps.length ? 1 + Math.max(...deps.map((d) => column.get(d) ?? 0)) : 0);
  }
  const rowsUsed: number[] = [];
  const nodes: DagNode[] = pipelineOrder(stages).map((id) => {
    const c = column.get(id)!;
    const row = rowsUsed[c] ?? 0;
    rowsUsed[c] = row + 1;
    return {
      id,
      column: c,
      row,
      x: NODE.margin + c * (NODE.width + NODE.columnGap),
      y: NODE.margin + row * (NODE.height + NODE.rowGap),
    };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges = stages.flatMap((stage) =>
    stage.dependsOn
      .filter((d) => at.has(d))
      .map((from) => {
        const a = at.get(from)!;
        const b = at.get(stage.stageId)!;
        const x1 = a.x + NODE.width;
        const y1 = a.y + NODE.height / 2;
        const x2 = b.x;
        const y2 = b.y + NODE.height / 2;
        const bend = Math.max(12, (x2 - x1) / 2);
        return {
          from,
          to: stage.stageId,
          path: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}`,
        };
      }),
  );
  const columns = Math.max(0, ...nodes.map((n) => n.column + 1));
  const rows = Math.max(0, ...rowsUsed);
  return {
    nodes,
    edges,
    width: NODE.margin * 2 + columns * NODE.width + Math.max(0, columns - 1) * NODE.columnGap,
    height: NODE.margin * 2 + rows * NODE.height + Math.max(0, rows - 1) * NODE.rowGap,
  };
}
