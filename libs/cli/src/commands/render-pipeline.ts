import {
  FINISHED_STATUSES,
  formatDuration,
  type ResolvedPipeline,
  type ResolvedStage,
  type StageCondition,
} from '@aviary/pipeline-spec';

/** Settings read as durations (milliseconds once resolved). */
const DURATION_SETTINGS = new Set(['lifetime', 'interval', 'delay', 'duration']);

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return value.map(inline).join(', ');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value)
      .map(([key, item]) => `${key}=${inline(item)}`)
      .join(', ');
  }
  return String(value);
}

function settingLines(key: string, value: unknown): string[] {
  if (DURATION_SETTINGS.has(key) && typeof value === 'number') return [`${key}: ${formatDuration(value)}`];
  if (key === 'containers' && Array.isArray(value)) {
    return value.map((container: { name: string; image: string; ports?: number[] }) => {
      const ports =
        container.ports !== undefined && container.ports.length > 0
          ? `, ports ${container.ports.join(' ')}`
          : '';
      return `container: ${container.name} (${container.image}${ports})`;
    });
  }
  if (typeof value === 'string' && value.includes('\n')) {
    return [
      `${key}:`,
      ...value
        .trimEnd()
        .split('\n')
        .map((line) => `  ${line}`),
    ];
  }
  return [`${key}: ${inline(value)}`];
}

function condition(when: StageCondition | undefined): string | undefined {
  if (when === undefined) return undefined;
  const parts: string[] = [];
  if (when.branches !== undefined) parts.push(`branch ${when.branches.join(' or ')}`);
  if (when.statuses !== undefined) {
    const always = FINISHED_STATUSES.every((status) => when.statuses?.includes(status));
    parts.push(
      always ? 'whatever the dependencies ended in' : `dependencies ended ${when.statuses.join('|')}`,
    );
  }
  if (when.expression !== undefined) parts.push(when.expression);
  return parts.join(' and ');
}

function policy(stage: ResolvedStage): string {
  const parts = [`timeout ${formatDuration(stage.timeoutMs)}`];
  if (stage.retries.max > 0) {
    parts.push(
      `retries ${stage.retries.max} (backoff ${formatDuration(stage.retries.initialBackoffMs)} x${stage.retries.factor}, at most ${formatDuration(stage.retries.maxBackoffMs)})`,
    );
  }
  parts.push(`on failure ${stage.onFailure}`);
  return parts.join(', ');
}

function renderStage(stage: ResolvedStage, position: number, width: number): string[] {
  const number = `${position}.`.padStart(width + 1);
  const after = stage.dependsOn.length === 0 ? 'at start' : `after ${stage.dependsOn.join(', ')}`;
  const lines = [`${number} ${stage.id} (${stage.type}) ${after}`];
  const indent = ' '.repeat(width + 2);
  if (stage.name.toLowerCase() !== stage.id.replace(/[-_]+/g, ' ').toLowerCase())
    lines.push(`${indent}name: ${stage.name}`);
  const when = condition(stage.when);
  if (when !== undefined) lines.push(`${indent}if: ${when}`);
  lines.push(`${indent}${policy(stage)}`);
  for (const [key, value] of Object.entries(stage.settings)) {
    if (!isEmpty(value)) lines.push(...settingLines(key, value).map((line) => `${indent}${line}`));
  }
  return lines;
}

/** The expanded pipeline for people: its head, then each stage in the order it can run. */
export function renderPipeline(pipeline: ResolvedPipeline): string {
  const from = pipeline.preset === undefined ? '' : ` (preset ${pipeline.preset})`;
  const branches =
    pipeline.triggers.branches === undefined
      ? 'every branch'
      : `branches ${pipeline.triggers.branches.join(', ')}`;
  const tags =
    pipeline.triggers.tags === true
      ? 'every tag'
      : pipeline.triggers.tags === false
        ? 'no tags'
        : `tags ${pipeline.triggers.tags.join(', ')}`;
  const concurrency =
    pipeline.concurrency === 'queue'
      ? 'queue (a new push waits for the running execution)'
      : 'cancel (a new push cancels the running execution)';
  const width = String(pipeline.stages.length).length;
  const lines = [
    `pipeline ${pipeline.name}${from}: ${pipeline.stages.length} stages`,
    `  triggers: ${branches}; ${tags}`,
    `  concurrency: ${concurrency}`,
    `  timeout: ${formatDuration(pipeline.timeoutMs)}`,
    '',
    ...pipeline.stages.flatMap((stage, index) => renderStage(stage, index + 1, width)),
  ];
  return `${lines.join('\n')}\n`;
}
