import { setFlagsFromString } from 'node:v8';

/**
 * `npm start` / `npx aviary start`. V8 sizes each young-generation half-space up to 16 MB (8 MB on
 * small machines) for throughput; one process of seven mostly idle services does better with 1 MB
 * (about 80 MB less resident memory, measured by `npm run bench -- footprint`). Set before the
 * services' modules load, hence the dynamic import.
 */
setFlagsFromString('--max-semi-space-size=1');
await import('./run.js');
