import { z } from 'zod';
import { PipelineFile } from './pipeline-file.js';

export const PIPELINE_SCHEMA_ID = 'https://aviary.dev/schemas/pipeline.schema.json';

/**
 * The JSON Schema (draft 2020-12) of `.aviary/pipeline.yaml`, for editors: add
 * `# yaml-language-server: $schema=<url or path>` at the top of the file. It describes the input as
 * written (durations as text, defaults shown); cross-stage rules (cycles, references) are the CLI's.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PipelineFile, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  });
  const { $schema, title, description, ...rest } = schema;
  return { $schema, $id: PIPELINE_SCHEMA_ID, title, description, ...rest };
}

/** The committed file's text (libs/pipeline-spec/generated/pipeline.schema.json). */
export function renderPipelineSchemaFile(): string {
  return `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`;
}
