import { judge, parseCanaryConfig, type MetricSetPair } from '@aviary/judge';
import { seededRandom } from '@aviary/test-support';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * `npm run bench -- canary`: the judge (NetflixACAJudge-v1.0, and AviaryJudge-v1) on 50 metrics of
 * 1,000 points a side, and on one metric of 10,000 and of 100,000 points a side (latency-like data
 * with ties, the canary 3 % slower); beside scipy's mannwhitneyu on the same data through
 * /usr/bin/python3 when python3-scipy is installed (the test alone: scipy has no interval).
 */

const GOAL_50_MS = 250;
const GOAL_10K_MS = 50;
const RUNS = 5;

function latencies(random: () => number, n: number, median: number): number[] {
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.round(Math.exp(Math.log(median) + 0.25 * z) * 10) / 10;
  });
}

function configOf(names: string[], judgeName: string) {
  return parseCanaryConfig({
    judge: { name: judgeName, judgeConfigurations: {} },
    metrics: names.map((name) => ({
      name,
      groups: ['g'],
      query: { type: 'prometheus', metricName: name },
      analysisConfigurations: { canary: { direction: 'increase' } },
    })),
    classifier: { groupWeights: { g: 100 } },
  });
}

function pairsOf(count: number, points: number, seed: number): MetricSetPair[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    name: `m${i}`,
    values: { control: latencies(random, points, 100), experiment: latencies(random, points, 103) },
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(judgeName: string, pairs: MetricSetPair[]): number {
  const config = configOf(
    pairs.map((p) => p.name),
    judgeName,
  );
  judge(config, { pass: 95, marginal: 75 }, pairs);
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    judge(config, { pass: 95, marginal: 75 }, pairs);
    runs.push(performance.now() - start);
  }
  return median(runs);
}

const SCIPY = `
import json, sys, time
from scipy.stats import mannwhitneyu
cases = json.load(sys.stdin)
out = []
for pairs in cases:
    runs = []
    for _ in range(${RUNS}):
        start = time.perf_counter()
        for control, experiment in pairs:
            mannwhitneyu(experiment, control, alternative="two-sided", method="asymptotic")
        runs.append((time.perf_counter() - start) * 1000)
    out.append(sorted(runs)[len(runs) // 2])
print(json.dumps(out))
`;

function scipyTimes(sets: MetricSetPair[][]): number[] | undefined {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const input = JSON.stringify(
    sets.map((pairs) => pairs.map((p) => [p.values.control, p.values.experiment])),
  );
  const result = spawnSync('/usr/bin/python3', ['-c', SCIPY], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (result.status !== 0) return undefined;
  return JSON.parse(result.stdout) as number[];
}

export function main(): Promise<void> {
  const fifty = pairsOf(50, 1_000, 1);
  const tenK = pairsOf(1, 10_000, 2);
  const hundredK = pairsOf(1, 100_000, 3);
  const figures = {
    netflix50x1000Ms: time('NetflixACAJudge-v1.0', fifty),
    aviary50x1000Ms: time('AviaryJudge-v1', fifty),
    netflix10kMs: time('NetflixACAJudge-v1.0', tenK),
    netflix100kMs: time('NetflixACAJudge-v1.0', hundredK),
    aviary10kMs: time('AviaryJudge-v1', tenK),
  };
  const scipy = scipyTimes([fifty, tenK, hundredK]);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  const rows: Array<[string, number, number | undefined, number]> = [
    ['50 metrics x 1,000 points (NetflixACAJudge)', figures.netflix50x1000Ms, scipy?.[0], 50],
    ['50 metrics x 1,000 points (AviaryJudge)', figures.aviary50x1000Ms, scipy?.[0], 50],
    ['1 metric x 10,000 points (NetflixACAJudge)', figures.netflix10kMs, scipy?.[1], 1],
    ['1 metric x 10,000 points (AviaryJudge)', figures.aviary10kMs, scipy?.[1], 1],
    ['1 metric x 100,000 points (NetflixACAJudge)', figures.netflix100kMs, scipy?.[2], 1],
  ];
  console.log(
    'judgment                                      total ms   per metric ms   scipy mannwhitneyu ms (test only)',
  );
  for (const [label, ms, reference, metrics] of rows)
    console.log(
      `${label.padEnd(45)} ${round(ms).toString().padStart(8)}   ${round(ms / metrics)
        .toString()
        .padStart(
          13,
        )}   ${reference === undefined ? 'python3-scipy not installed' : round(reference).toString().padStart(8)}`,
    );
  const met = figures.netflix50x1000Ms < GOAL_50_MS && figures.netflix10kMs < GOAL_10K_MS;
  console.log(
    JSON.stringify({
      bench: 'canary',
      figures: {
        ...Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v)])),
        ...(scipy
          ? { scipy50x1000Ms: round(scipy[0]!), scipy10kMs: round(scipy[1]!), scipy100kMs: round(scipy[2]!) }
          : {}),
      },
      goal: `a 50-metric judgment (1,000 points a side) under ${GOAL_50_MS} ms; 10,000 points a side under ${GOAL_10K_MS} ms`,
      met,
    }),
  );
  return Promise.resolve();
}
