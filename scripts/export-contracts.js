// Writes the published contracts from the zod schemas: the bus contract (AsyncAPI 3 document and one
// JSON Schema per message, from libs/events) and the JSON Schema of .aviary/pipeline.yaml (from
// libs/pipeline-spec). Reads the built packages: `npm run build` first. Tests fail when the committed
// copies drift from the code.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderContractFiles } from '@aviary/events/contract-files';
import { renderPipelineSchemaFile } from '@aviary/pipeline-spec';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const out = join(root, 'libs', 'events', 'generated');
rmSync(out, { recursive: true, force: true });
for (const [path, text] of Object.entries(renderContractFiles())) {
  mkdirSync(dirname(join(out, path)), { recursive: true });
  writeFileSync(join(out, path), text);
}
console.log(`wrote ${Object.keys(renderContractFiles()).length} files to ${out}`);

const pipelineSchema = join(root, 'libs', 'pipeline-spec', 'generated', 'pipeline.schema.json');
mkdirSync(dirname(pipelineSchema), { recursive: true });
writeFileSync(pipelineSchema, renderPipelineSchemaFile());
console.log(`wrote ${pipelineSchema}`);
