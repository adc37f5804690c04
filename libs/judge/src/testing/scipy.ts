import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's python with scipy: the pyenv python first on PATH may lack it. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export const SCIPY_MISSING =
  'scipy is not installed for /usr/bin/python3: install the Debian package with `apt-get install -y python3-scipy` (.ci/run does)';

/** Whether /usr/bin/python3 can import scipy. */
export function scipyAvailable(): boolean {
  if (!existsSync(SYSTEM_PYTHON)) return false;
  return spawnSync(SYSTEM_PYTHON, ['-c', 'import scipy.stats'], { stdio: 'ignore' }).status === 0;
}

/** Runs a python script with `data` as JSON on stdin, returns its stdout parsed as JSON. */
export function runPython<T>(script: string, data: unknown): T {
  const result = spawnSync(SYSTEM_PYTHON, ['-c', script], {
    input: JSON.stringify(data),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`python failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/**
 * scipy's Mann-Whitney U (x against y): U of x, two-sided asymptotic p-value with continuity
 * correction, the exact p-value when asked, and the Hodges-Lehmann shift (median of x_i - y_j).
 */
export const MANN_WHITNEY_SCRIPT = `
import json, sys
import numpy as np
from scipy.stats import mannwhitneyu
cases = json.load(sys.stdin)
out = []
for case in cases:
    x = np.array(case["x"], dtype=float); y = np.array(case["y"], dtype=float)
    asym = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic", use_continuity=True)
    row = {"u": float(asym.statistic), "pAsymptotic": float(asym.pvalue),
           "hl": float(np.median(np.subtract.outer(x, y)))}
    if case.get("exact"):
        row["pExact"] = float(mannwhitneyu(x, y, alternative="two-sided", method="exact").pvalue)
    for d in case.get("shifts", []):
        row.setdefault("pShifted", []).append(float(mannwhitneyu(x - d, y, alternative="two-sided", method="asymptotic", use_continuity=True).pvalue))
    out.append(row)
print(json.dumps(out))
`;
