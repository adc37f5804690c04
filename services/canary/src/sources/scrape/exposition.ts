/**
 * The Prometheus text exposition format (0.0.4, and the OpenMetrics lines prom-client writes), read
 * sample by sample. Written here because the npm parser (parse-prometheus-text-format 1.1.1) drops
 * the labels, sums and counts of labelled histograms, which are what latency queries read.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Metric family types from `# TYPE` lines (counter, gauge, histogram, summary, untyped). */
  types: Map<string, string>;
}

/** As Go's ParseFloat, which Prometheus uses: NaN and Inf in any case (prom-client writes "Nan"). */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity')
    return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`"${text}" is not a sample value`);
  return value;
}

/** Reads `{a="x",b="y\"z"}` from `line` at `at` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, at: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') throw new Error('malformed labels');
    const name = line.slice(i, eq).trim();
    let value = '';
    let j = eq + 2;
    for (; j < line.length && line[j] !== '"'; j++) {
      if (line[j] === '\\') {
        j++;
        value += line[j] === 'n' ? '\n' : line[j];
      } else value += line[j];
    }
    if (j >= line.length) throw new Error('unterminated label value');
    labels[name] = value;
    i = j + 1;
  }
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line === '# EOF') continue;
    if (line.startsWith('#')) {
      const match = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (match) types.set(match[1]!, match[2]!.toLowerCase());
      continue;
    }
    try {
      const brace = line.indexOf('{');
      const space = line.indexOf(' ');
      let name: string;
      let labels: Record<string, string> = {};
      let rest: string;
      if (brace >= 0 && (space < 0 || brace < space)) {
        name = line.slice(0, brace);
        const [parsed, after] = parseLabels(line, brace);
        labels = parsed;
        rest = line.slice(after).trim();
      } else {
        name = line.slice(0, space);
        rest = line.slice(space + 1).trim();
      }
      const [value] = rest.split(/\s+/);
      samples.push({ name, labels, value: parseValue(value ?? '') });
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}: ${raw}`, { cause: error });
    }
  }
  return { samples, types };
}
