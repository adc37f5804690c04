import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './repository.js';
import { COMMON_VARIABLES, PATTERN_VARIABLES, SERVICE_CONFIGS, SERVICE_NAMES } from './service-configs.js';

interface Row {
  variables: string[];
  service: string;
}

/** The rows of the first table under `## Configuration`: the variables of each and its service. */
function configurationTable(readme: string): Row[] {
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  const lines = section.split('\n');
  const start = lines.findIndex((line) => /^\|\s*variable\s*\|\s*service\s*\|/.test(line));
  if (start < 0)
    throw new Error('no "| variable | service | default | meaning |" table under ## Configuration');
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [variables = '', service = ''] = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
    rows.push({
      // `<NAME>` in a documented name is a part the user chooses.
      variables: [...variables.matchAll(/`([A-Z0-9_<>]+)`/g)].map((m) => m[1]!.replace(/[<>]/g, '')),
      service,
    });
  }
  return rows;
}

const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8');
const rows = configurationTable(readme);
const documented = new Map(rows.flatMap((row) => row.variables.map((v) => [v, row.service] as const)));

describe("the README's configuration table", () => {
  it('lists every variable every service reads, as read by every service', () => {
    const missing = COMMON_VARIABLES.map((v) => v.replace(/[<>]/g, '')).filter(
      (v) => documented.get(v) !== 'every service',
    );
    expect(missing).toEqual([]);
  });

  it.each(SERVICE_NAMES)('lists every variable of the %s, on a row of that service', (service) => {
    const wanted = [
      ...SERVICE_CONFIGS[service].variables,
      ...Object.entries(PATTERN_VARIABLES)
        .filter(([, owner]) => owner === service)
        .map(([name]) => name),
    ];
    const wrong = wanted
      .filter((v) => documented.get(v) !== service)
      .map((v) => `${v}: ${documented.has(v) ? `on a row of "${documented.get(v)}"` : 'missing'}`);
    expect(wrong).toEqual([]);
  });

  it('lists no variable that no service reads', () => {
    const read = new Set([
      ...COMMON_VARIABLES.map((v) => v.replace(/[<>]/g, '')),
      ...Object.values(SERVICE_CONFIGS).flatMap((config) => config.variables),
      ...Object.keys(PATTERN_VARIABLES),
    ]);
    expect([...documented.keys()].filter((v) => !read.has(v))).toEqual([]);
  });

  it('is the only table of variables in the README', () => {
    expect(readme.match(/^\|\s*variable\s*\|/gm)).toHaveLength(1);
  });
});
