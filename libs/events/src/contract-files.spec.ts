import { describe, expect, it } from '@jest/globals';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderContractFiles } from './contract-files.js';

const generated = join(dirname(fileURLToPath(import.meta.url)), '..', 'generated');

describe('the published bus contract', () => {
  const files = renderContractFiles();

  it('is committed exactly as the schemas produce it (run `npm run contracts` after a change)', () => {
    for (const [path, text] of Object.entries(files)) {
      expect({ path, text: readFileSync(join(generated, path), 'utf8') }).toEqual({ path, text });
    }
  });

  it('is a valid AsyncAPI 3 document', async () => {
    const { document, diagnostics } = await new Parser().parse(files['asyncapi.json'] ?? '');
    const errors = diagnostics.filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error));
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().all().length).toBeGreaterThan(40);
  });
});
