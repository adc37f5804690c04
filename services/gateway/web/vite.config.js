// The web UI's build: Preact through Vite (oxc's JSX transform, no Babel), hashed assets under
// /assets/ (the gateway caches them for a year), and a manifest the bundle-size check reads.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const gateway = process.env.AVIARY_GATEWAY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  // `npm run dev -w @aviary/web`: the UI with hot reload, the API from a running gateway.
  server: { proxy: { '/api': { target: gateway, changeOrigin: true } } },
});
