/** How a status looks: a word and an icon beside the colour, so colour is never the only signal. */
export type Tone = 'ok' | 'bad' | 'run' | 'wait' | 'off' | 'warn';

export interface StatusLook {
  label: string;
  icon: string;
  tone: Tone;
}

const LOOKS: Record<string, StatusLook> = {
  SUCCEEDED: { label: 'Succeeded', icon: '✓', tone: 'ok' },
  FAILED: { label: 'Failed', icon: '✗', tone: 'bad' },
  FAILED_CONTINUE: { label: 'Failed, continued', icon: '!', tone: 'warn' },
  TERMINAL: { label: 'Terminal', icon: '✗', tone: 'bad' },
  CANCELED: { label: 'Canceled', icon: '⊘', tone: 'off' },
  RUNNING: { label: 'Running', icon: '▶', tone: 'run' },
  PAUSED: { label: 'Waiting', icon: '‖', tone: 'wait' },
  NOT_STARTED: { label: 'Not started', icon: '○', tone: 'off' },
  SKIPPED: { label: 'Skipped', icon: '↷', tone: 'off' },
  // Canary verdicts and classifications
  pass: { label: 'Pass', icon: '✓', tone: 'ok' },
  marginal: { label: 'Marginal', icon: '!', tone: 'warn' },
  fail: { label: 'Fail', icon: '✗', tone: 'bad' },
  running: { label: 'Running', icon: '▶', tone: 'run' },
  error: { label: 'Error', icon: '✗', tone: 'bad' },
  cancelled: { label: 'Cancelled', icon: '⊘', tone: 'off' },
  Pass: { label: 'Pass', icon: '✓', tone: 'ok' },
  Marginal: { label: 'Marginal', icon: '!', tone: 'warn' },
  Fail: { label: 'Fail', icon: '✗', tone: 'bad' },
  High: { label: 'High', icon: '▲', tone: 'bad' },
  Low: { label: 'Low', icon: '▼', tone: 'bad' },
  Nodata: { label: 'No data', icon: '∅', tone: 'off' },
  NodataFailMetric: { label: 'No data (fails)', icon: '∅', tone: 'bad' },
  Error: { label: 'Error', icon: '✗', tone: 'bad' },
  // Quality gate
  OK: { label: 'OK', icon: '✓', tone: 'ok' },
  WARN: { label: 'Warning', icon: '!', tone: 'warn' },
  ERROR: { label: 'Error', icon: '✗', tone: 'bad' },
  NO_VALUE: { label: 'No value', icon: '∅', tone: 'off' },
  // Server groups
  healthy: { label: 'Healthy', icon: '✓', tone: 'ok' },
  deploying: { label: 'Deploying', icon: '▶', tone: 'run' },
  retiring: { label: 'Retiring', icon: '↓', tone: 'off' },
};

export function statusLook(status: string): StatusLook {
  return LOOKS[status] ?? { label: status, icon: '•', tone: 'off' };
}

/** Ended statuses of an execution: nothing more happens unless a person restarts a stage. */
export function isFinished(status: string): boolean {
  return ['SUCCEEDED', 'FAILED', 'TERMINAL', 'CANCELED'].includes(status);
}
