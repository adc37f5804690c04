import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePipeline } from './validation/parse-pipeline.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'pipelines');

const files = ['node-service.yaml', 'node-service-canary.yaml', 'explicit.yaml'];

describe('the example pipelines', () => {
  it.each(files)('%s is valid', (file) => {
    const result = parsePipeline(readFileSync(join(examples, file), 'utf8'));
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(files)('%s with any one line removed or cut short gives a result, never a crash', (file) => {
    const lines = readFileSync(join(examples, file), 'utf8').split('\n');
    for (const [index, line] of lines.entries()) {
      for (const variant of [
        [...lines.slice(0, index), ...lines.slice(index + 1)],
        [...lines.slice(0, index), line.slice(0, Math.ceil(line.length / 2)), ...lines.slice(index + 1)],
      ]) {
        const result = parsePipeline(variant.join('\n'));
        if (!result.ok) {
          for (const error of result.errors) {
            expect(error.line).toBeGreaterThanOrEqual(1);
            expect(error.line).toBeLessThanOrEqual(variant.length);
            expect(error.message.length).toBeGreaterThan(0);
          }
        }
      }
    }
  });
});
