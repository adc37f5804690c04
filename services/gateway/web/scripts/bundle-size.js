// What a browser downloads on first load: the entry chunk and every chunk it imports statically
// (lazy chunks excluded), gzipped as the gateway serves them. Run alone it prints the table and
// exits 1 above the goal; the build runs it after every build.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

/** The goal: under 200 KB of JavaScript, gzipped, on first load. */
export const GOAL_BYTES = 200 * 1024;

/**
 * @param {string} dist the build's output folder
 * @returns {{ files: Array<{ file: string; bytes: number; gzip: number }>; css: Array<{ file: string; bytes: number; gzip: number }>; totalGzip: number; goal: number; met: boolean }}
 */
export function measureFirstLoad(dist) {
  const manifestPath = join(dist, '.vite', 'manifest.json');
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    throw new Error(`${manifestPath} is missing: build the web UI first (npm run build)`);
  }
  const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
  const seen = new Set();
  const css = new Set();
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const sheet of manifest[key].css ?? []) css.add(sheet);
    for (const imported of manifest[key].imports ?? []) visit(imported);
  };
  entries.forEach(visit);
  const sizeOf = (file) => {
    const body = readFileSync(join(dist, file));
    return { file, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  };
  const files = [...seen].map((key) => sizeOf(manifest[key].file));
  const totalGzip = files.reduce((sum, f) => sum + f.gzip, 0);
  return { files, css: [...css].map(sizeOf), totalGzip, goal: GOAL_BYTES, met: totalGzip <= GOAL_BYTES };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** @param {ReturnType<typeof measureFirstLoad>} size */
export function formatBundleSize(size) {
  const rows = [...size.files, ...size.css].map(
    (f) => `  ${f.file.padEnd(40)} ${kb(f.bytes).padStart(10)} ${kb(f.gzip).padStart(10)} gzipped`,
  );
  return [
    'web UI first load:',
    ...rows,
    `  JavaScript on first load: ${kb(size.totalGzip)} gzipped (goal: under ${kb(size.goal)}) ${size.met ? 'OK' : 'OVER THE GOAL'}`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
  const size = measureFirstLoad(dist);
  console.log(formatBundleSize(size));
  if (!size.met) process.exit(1);
}
