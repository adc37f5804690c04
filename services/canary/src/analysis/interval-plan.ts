/** What Orca's RunCanaryIntervalsStage reads, in milliseconds. */
export interface PlanInput {
  /** Planning time (the stage start). */
  now: number;
  lifetimeMs: number;
  intervalMs: number;
  delayMs: number;
  lookbackMs: number;
  baselineOffsetMs: number;
  startTime?: number;
  endTime?: number;
}

export interface Window {
  start: number;
  end: number;
}

export interface PlannedInterval {
  index: number;
  canary: Window;
  baseline: Window;
  /** When it can be judged: its end (plus the source's settling time). */
  dueAt: number;
}

/**
 * Orca's interval planning: a retrospective window (endTime given) is cut from its start, warm-up not
 * added; a real-time one starts after the warm-up, each interval judged when it ends. Windows grow
 * from the start unless a lookback makes them slide; the baseline's is shifted back by the offset.
 * The lifetime's remainder after whole intervals is never judged.
 */
export function planIntervals(input: PlanInput): PlannedInterval[] {
  const retrospective = input.endTime !== undefined;
  const origin = input.startTime ?? input.now;
  const lifetime = retrospective ? input.endTime! - origin : input.lifetimeMs;
  if (!(lifetime > 0)) throw new Error('the analysis window is empty: endTime must be after startTime');
  let interval = input.intervalMs;
  if (interval === 0 || interval > lifetime) interval = lifetime;
  const count = Math.floor(lifetime / interval);
  const first = retrospective ? origin : origin + input.delayMs;
  return Array.from({ length: count }, (_, i) => {
    const end = first + interval * (i + 1);
    const start = input.lookbackMs > 0 ? end - input.lookbackMs : first;
    return {
      index: i + 1,
      canary: { start, end },
      baseline: { start: start - input.baselineOffsetMs, end: end - input.baselineOffsetMs },
      dueAt: end,
    };
  });
}
