/**
 * Jenkins' stage view: one row per run, one column per stage (in pipeline order), each cell the
 * stage's status and duration, and each column's average time on top.
 */

export interface StageInput {
  stageId: string;
  name: string;
  status: string;
  dependsOn: string[];
  durationMs?: number | undefined;
  startedAt?: string | undefined;
  attempt?: number;
}

export interface RunInput {
  executionId: string;
  status: string;
  /** Absent until the run's details arrived. */
  stages?: StageInput[] | undefined;
}

export interface StageColumn {
  stageId: string;
  name: string;
  /** Mean duration of the stage in the runs where it succeeded (as Jenkins averages). */
  averageMs: number | undefined;
}

export interface StageCell {
  status: string;
  /** The duration, or for a running or waiting stage the time since it started. */
  durationMs: number | undefined;
  running: boolean;
  attempt: number;
}

export interface StageViewRow<R extends RunInput> {
  run: R;
  cells: Array<StageCell | undefined>;
}

export interface StageViewTable<R extends RunInput> {
  columns: StageColumn[];
  rows: Array<StageViewRow<R>>;
}

/** Stages ordered by depth in the DAG (longest chain of dependencies), then as the pipeline lists them. */
export function pipelineOrder(stages: Array<Pick<StageInput, 'stageId' | 'dependsOn'>>): string[] {
  const byId = new Map(stages.map((s) => [s.stageId, s]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, path: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (path.has(id)) return 0;
    path.add(id);
    const deps = (byId.get(id)?.dependsOn ?? []).filter((d) => byId.has(d));
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((d) => depthOf(d, path)));
    path.delete(id);
    depth.set(id, value);
    return value;
  };
  return stages
    .map((s, index) => ({ id: s.stageId, index, depth: depthOf(s.stageId, new Set()) }))
    .sort((a, b) => a.depth - b.depth || a.index - b.index)
    .map((s) => s.id);
}

export function buildStageView<R extends RunInput>(runs: R[], now: number): StageViewTable<R> {
  // Columns from the newest run that has stages, then any stage only older runs had.
  const names = new Map<string, string>();
  const order: string[] = [];
  for (const run of runs) {
    if (!run.stages) continue;
    for (const id of pipelineOrder(run.stages))
      if (!names.has(id)) {
        names.set(id, run.stages.find((s) => s.stageId === id)!.name);
        order.push(id);
      }
  }
  const rows = runs.map((run) => {
    const stages = new Map((run.stages ?? []).map((s) => [s.stageId, s]));
    return {
      run,
      cells: order.map((id): StageCell | undefined => {
        const stage = stages.get(id);
        if (!stage) return undefined;
        const running = stage.status === 'RUNNING';
        // A stage running, or waiting for a person, shows how long it has been at it.
        const ongoing = running || stage.status === 'PAUSED';
        const durationMs =
          stage.durationMs ??
          (ongoing && stage.startedAt ? Math.max(0, now - Date.parse(stage.startedAt)) : undefined);
        return { status: stage.status, durationMs, running, attempt: stage.attempt ?? 1 };
      }),
    };
  });
  const columns = order.map((stageId, column) => {
    const times = rows
      .map((row) => row.cells[column])
      .filter((cell): cell is StageCell => cell?.status === 'SUCCEEDED' && cell.durationMs !== undefined)
      .map((cell) => cell.durationMs!);
    return {
      stageId,
      name: names.get(stageId)!,
      averageMs: times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined,
    };
  });
  return { columns, rows };
}

/** The mean duration of the runs that succeeded: the "average full run time" above the table. */
export function averageRunMs(
  runs: Array<{ status: string; durationMs?: number | undefined }>,
): number | undefined {
  const times = runs
    .filter((r) => r.status === 'SUCCEEDED' && r.durationMs !== undefined)
    .map((r) => r.durationMs!);
  return times.length ? times.reduce((a, b) => a + b, 0) / times.length : undefined;
}
