// `npm run bench -- <name>` runs bench/src/<name>.ts (compiled to bench/dist). Each benchmark prints a
// table and, as its last line, one JSON object with its figures, its goal and whether it was met.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), 'dist');
const available = existsSync(dist)
  ? readdirSync(dist)
      .filter((f) => f.endsWith('.js') && !f.includes('.'.repeat(2)) && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
  : [];
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none built)'}`);
  process.exit(2);
}
const bench = await import(join(dist, `${name}.js`));
await bench.main(process.argv.slice(3));
