// Writes the published bus contract (AsyncAPI 3 document and one JSON Schema per message) from the
// zod schemas in libs/events. CI fails when the committed copies drift from the code.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderContractFiles } from '@aviary/events/contract-files';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'libs', 'events', 'generated');
rmSync(out, { recursive: true, force: true });
for (const [path, text] of Object.entries(renderContractFiles())) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), text);
}
console.log(`wrote ${Object.keys(renderContractFiles()).length} files to ${out}`);
