import { setFlagsFromString } from 'node:v8';

/**
 * `npm start` / `npx aviary start`. Set before the services' modules load, hence the dynamic import.
 *
 * V8 grows each young-generation half-space up to 16 MB for throughput; one process of seven mostly
 * idle services does better at 1 MB, kept there (about 130 MB less resident memory when idle: 485 ->
 * 350 MB measured on a restart); the growth factor too, or the cap set at run time is not kept.
 *
 * PGlite is PostgreSQL compiled to WebAssembly. V8 first compiles it with its baseline compiler,
 * then recompiles the hot functions with its optimizing one, whose code and compiler memory stay
 * resident: about 50 MB for queries of a few rows, where the optimized code gains nothing measurable
 * (3,000 inserts and lookups took as long either way). Both flags are needed: without dynamic tiering
 * V8 would optimize every function up front instead.
 */
setFlagsFromString('--max-semi-space-size=1');
setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--no-wasm-tier-up');
setFlagsFromString('--no-wasm-dynamic-tiering');
await import('./run.js');
