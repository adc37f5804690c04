/** Where the demo writes: lines, and on a terminal one status line rewritten in place. */
export interface DemoOutput {
  line(text: string): void;
  /** A transient status (a running stage, the analysis bar): replaced by the next status or line. */
  status(text: string): void;
}

export function terminalOutput(stream: NodeJS.WriteStream): DemoOutput {
  const live = Boolean(stream.isTTY);
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  let lastMilestone = '';
  return {
    line(text) {
      clear();
      stream.write(`${text}\n`);
    },
    status(text) {
      if (live) {
        clear();
        stream.write(text.slice(0, Math.max(20, (stream.columns || 100) - 1)));
        shown = true;
      } else {
        // Without a terminal (a log, CI), only the analysis' milestones: each interval judged.
        const milestone = /interval \d+\/\S+/.exec(text)?.[0];
        if (milestone && milestone !== lastMilestone) stream.write(`${text}\n`);
        if (milestone) lastMilestone = milestone;
      }
    },
  };
}

export const silentOutput: DemoOutput = { line: () => undefined, status: () => undefined };

export function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

export function bar(fraction: number, width = 24): string {
  const filled = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** An output value as text (outputs are JSON: strings, numbers, lists). */
export function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}
