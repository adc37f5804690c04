#!/usr/bin/env node
// The `aviary` command runs the compiled CLI; `npm run build` (or `npm start`/`npm test`) builds it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'aviary: the CLI is not built yet; run `npm run build` at the repository root first.\n',
  );
  process.exit(2);
}
await import(main.href);
