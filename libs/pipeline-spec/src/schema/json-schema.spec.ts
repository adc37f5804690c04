import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { renderPipelineSchemaFile } from './json-schema.js';

const here = dirname(fileURLToPath(import.meta.url));
const committed = join(here, '..', '..', 'generated', 'pipeline.schema.json');
const examples = join(here, '..', '..', '..', '..', 'examples', 'pipelines');

describe('the pipeline JSON Schema', () => {
  const text = renderPipelineSchemaFile();

  it('is committed exactly as the zod schemas produce it (run `npm run build && npm run contracts` after a change)', () => {
    expect(readFileSync(committed, 'utf8')).toBe(text);
  });

  it('is a 2020-12 schema with an id, titles and descriptions for editors', () => {
    const schema = JSON.parse(text) as Record<string, unknown>;
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'https://aviary.dev/schemas/pipeline.schema.json',
      title: expect.stringContaining('pipeline'),
    });
    expect(text).toContain('"title": "canary-analysis stage"');
    expect(text).toContain('"description": "Image for install, lint and tests."');
  });

  it('accepts the example pipelines and refuses what editors should flag', () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(text) as object);
    const files = readdirSync(examples).filter((file) => file.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const ok = validate(parse(readFileSync(join(examples, file), 'utf8')));
      expect({ file, errors: ok ? [] : validate.errors }).toEqual({ file, errors: [] });
    }
    expect(validate({ name: 'a', stages: [{ id: 'x', type: 'wait', duration: '5 minutes' }] })).toBe(false);
    expect(validate({ name: 'a', stages: [{ id: 'x', type: 'deploy-everything' }] })).toBe(false);
    expect(validate({ preset: 'node-service', name: 'a', canaryEnabled: 'yes' })).toBe(false);
  });
});
