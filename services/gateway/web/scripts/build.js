// `npm run build -w @aviary/web` (and the root `npm run build`, through nx): Vite's production build,
// then the first-load size, failing above the goal.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { formatBundleSize, measureFirstLoad } from './bundle-size.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({ configFile: join(root, 'vite.config.js'), logLevel: 'warn' });
const size = measureFirstLoad(join(root, 'dist'));
console.log(formatBundleSize(size));
if (!size.met) {
  console.error(
    'the web UI is over its first-load goal: split a page into a lazy chunk or drop a dependency',
  );
  process.exit(1);
}
