/**
 * The sum of a counter's samples whose labels contain every `labels` pair, in a process's
 * Prometheus text (`/metrics`); 0 when there is none.
 */
export function counterValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{\s]+(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const present = new Map<string, string>();
    for (const label of (match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      present.set(label[1]!, label[2]!);
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) total += Number(match[2]);
  }
  return total;
}

export async function metricsOf(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return response.text();
}
