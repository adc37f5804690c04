import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const { server } = createApp({
  slowMs: Number(process.env.SLOW_MS ?? 0),
  errorRate: Number(process.env.ERROR_RATE ?? 0),
  version: process.env.APP_VERSION ?? process.env.AVIARY_SHA ?? 'dev',
});

server.listen(port, process.env.HOST ?? '0.0.0.0', () => {
  console.log(`sample-app listening on ${port}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
