import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePipeline } from './validation/parse-pipeline.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'pipelines');

describe('the example pipelines', () => {
  it.each(['node-service.yaml', 'node-service-canary.yaml', 'explicit.yaml'])('%s is valid', (file) => {
    const result = parsePipeline(readFileSync(join(examples, file), 'utf8'));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
