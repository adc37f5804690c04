import { buildAsyncApiDocument } from './asyncapi.js';
import { envelopeJsonSchema } from './json-schema.js';
import { ContractRegistry } from './registry.js';

/** The published contract as files (path relative to `libs/events/generated` -> text). */
export function renderContractFiles(registry = new ContractRegistry()): Record<string, string> {
  const files: Record<string, string> = {
    'asyncapi.json': `${JSON.stringify(buildAsyncApiDocument(registry), null, 2)}\n`,
  };
  for (const contract of registry.all()) {
    files[`schemas/${contract.type}.json`] = `${JSON.stringify(envelopeJsonSchema(contract), null, 2)}\n`;
    if (contract.kind === 'query') {
      files[`schemas/${contract.replyType}.json`] = `${JSON.stringify(
        envelopeJsonSchema(contract, contract.replySchema, contract.replyType),
        null,
        2,
      )}\n`;
    }
  }
  return files;
}
