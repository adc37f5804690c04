import { relative } from 'node:path';
import { type Standalone } from './standalone.js';

/** What a person needs after `npm start`: where the UI is, how to log in, where the data lives. */
export function startBanner(standalone: Standalone, cwd = process.cwd()): string {
  const rule = '='.repeat(72);
  const shownDir = relative(cwd, standalone.dataDir) || '.';
  const dataDir = shownDir.startsWith('..') ? standalone.dataDir : `./${shownDir}`;
  const token =
    standalone.adminToken === undefined
      ? ['  Admin token   the one you set in AVIARY_ADMIN_TOKEN']
      : standalone.adminTokenCreated
        ? [
            '  Admin token   (first start: shown this once, kept in the data directory)',
            '',
            `      ${standalone.adminToken}`,
            '',
          ]
        : [`  Admin token   in ${dataDir}/admin-token`];
  return [
    '',
    rule,
    '  Aviary is running (standalone: the seven services in one process)',
    '',
    `  UI and API    ${standalone.publicUrl}      (API docs: ${standalone.publicUrl}/docs)`,
    ...token,
    `  Data          ${dataDir}   (PGlite, artifacts, workspaces; AVIARY_DATA_DIR to move it)`,
    `  Health        ${standalone.publicUrl}/services`,
    '',
    '  See it work:  npm run demo        Stop: Ctrl-C',
    rule,
    '',
  ].join('\n');
}
