import { writeFile } from 'node:fs/promises';
import { USAGE, parseCliOptions, type CliOptions } from './config/cli-options.js';
import { startKubeApiServer } from './kube-apiserver.js';

const pattern = (text: string | undefined) => (text ? new RegExp(text) : undefined);

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const server = await startKubeApiServer({
    port: options.port,
    host: options.host,
    podReadyDelayMs: options.podReadyDelayMs,
    failingImages: pattern(options.failingImages),
    crashingImages: pattern(options.crashingImages),
    unreadyImages: pattern(options.unreadyImages),
  });
  if (options.kubeconfig) {
    await writeFile(options.kubeconfig, server.kubeconfig);
    console.log(`Kubernetes API test server on ${server.url}; kubeconfig written to ${options.kubeconfig}`);
  } else {
    console.log(`Kubernetes API test server on ${server.url}; kubeconfig:\n\n${server.kubeconfig}`);
  }
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
