// `npm run dev -w @aviary/web`: Vite's dev server with hot reload; /api goes to the gateway at
// AVIARY_GATEWAY_URL (default http://127.0.0.1:8080, `npm start`).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const server = await createServer({ configFile: join(root, 'vite.config.js') });
await server.listen();
server.printUrls();
