import { type StageCommandData } from '@aviary/events';
import { type BusClient } from '@aviary/messaging';
import { readRepositoryFile } from '@aviary/runtime';
import {
  DEFAULT_GATE,
  GateDefinitionError,
  gateFromDefinition,
  type QualityGate,
} from '@aviary/quality-gate';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InvalidQualitySettingsError } from '../analysis/quality-settings.js';

const EXTENSIONS = ['yaml', 'yml', 'json'];

function parseGate(text: string, where: string, name: string): QualityGate {
  try {
    return gateFromDefinition(parseYaml(text), name);
  } catch (error) {
    if (error instanceof GateDefinitionError || (error as Error).name === 'YAMLParseError')
      throw new InvalidQualitySettingsError(`${where}: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * The gate a stage names: its inline `conditions`, else `<QUALITY_GATES_DIR>/<name>.yaml` (or .yml,
 * .json), else `.aviary/quality-gates/<name>.yaml` in the application's repository at the pushed
 * commit (asked of the builder), else the built-in `default`.
 */
export async function resolveGate(
  name: string,
  inline: unknown[] | undefined,
  command: StageCommandData,
  gatesDir: string | undefined,
  bus: BusClient,
  timeoutMs: number,
): Promise<QualityGate> {
  if (inline) {
    try {
      return gateFromDefinition({ name: `${command.stageId} (inline)`, conditions: inline });
    } catch (error) {
      if (error instanceof GateDefinitionError)
        throw new InvalidQualitySettingsError(`conditions: ${error.message}`);
      throw error;
    }
  }
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new InvalidQualitySettingsError(`"${name}" is not a gate name`);
  if (gatesDir)
    for (const ext of EXTENSIONS) {
      const file = join(gatesDir, `${name}.${ext}`);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) return parseGate(text, file, name);
    }
  // Both names asked at once: each is a round trip to the builder.
  const replies = await Promise.all(
    ['yaml', 'yml'].map(async (ext) => {
      const path = `.aviary/quality-gates/${name}.${ext}`;
      return { path, reply: await readRepositoryFile(bus, command, path, timeoutMs) };
    }),
  );
  const tried: string[] = [];
  for (const { path, reply } of replies) {
    if (reply.found) return parseGate(reply.content, path, name);
    tried.push(reply.reason);
  }
  if (name === DEFAULT_GATE.name) return DEFAULT_GATE;
  throw new InvalidQualitySettingsError(
    `quality gate "${name}" not found: commit .aviary/quality-gates/${name}.yaml${gatesDir ? ` or put it in ${gatesDir}` : ''}, or write the conditions inline (${tried.join('; ')})`,
  );
}
