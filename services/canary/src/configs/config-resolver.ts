import { type StageCommandData } from '@aviary/events';
import { type CanaryConfig, CanaryConfigError, parseCanaryConfig } from '@aviary/judge';
import { type BusClient } from '@aviary/messaging';
import { readRepositoryFile } from '@aviary/runtime';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidAnalysisError } from '../analysis/analysis-spec.js';

/**
 * Finds the canary config a stage names: inline in its settings (`canaryConfig`), else
 * `<CANARY_CONFIG_DIR>/<name>.json`, else `.aviary/canary/<name>.json` in the application's
 * repository at the pushed commit (asked of the builder).
 */
export async function resolveCanaryConfig(
  name: string,
  inline: Record<string, unknown> | undefined,
  command: StageCommandData,
  configDir: string | undefined,
  bus: BusClient,
): Promise<CanaryConfig> {
  const parse = (json: unknown, where: string) => {
    try {
      return parseCanaryConfig(json);
    } catch (error) {
      if (error instanceof CanaryConfigError) throw new InvalidAnalysisError(`${where}: ${error.message}`);
      throw error;
    }
  };
  if (inline) return parse(inline, 'canaryConfig');
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    throw new InvalidAnalysisError(`"${name}" is not a canary config name`);
  if (configDir) {
    const file = join(configDir, `${name}.json`);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) return parse(JSON.parse(text), file);
  }
  const path = `.aviary/canary/${name}.json`;
  const reply = await readRepositoryFile(bus, command, path, 15_000);
  if (reply.found) return parse(JSON.parse(reply.content), path);
  throw new InvalidAnalysisError(
    `canary config "${name}" not found: inline it as canaryConfig, put it in ${configDir ? `${configDir}/${name}.json` : 'CANARY_CONFIG_DIR'}, or commit ${path} (${reply.reason})`,
  );
}
