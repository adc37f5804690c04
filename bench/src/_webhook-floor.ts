import { jetstream, jetstreamManager, RetentionPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { verify } from '@octokit/webhooks-methods';
import { createServer } from 'node:http';

/**
 * The floor of bench/webhooks, in its own process like the gateway: a bare node:http server that
 * verifies the HMAC (the library the gateway uses), publishes to JetStream with an ack and answers
 * 202. Arguments: a JSON object { natsUrl, stream, secret, port }.
 */
const { natsUrl, stream, secret, port } = JSON.parse(process.argv[2] ?? '{}') as {
  natsUrl: string;
  stream: string;
  secret: string;
  port: number;
};
// As the gateway's bus connects: no async stack traces (an Error built per request).
const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], retention: RetentionPolicy.Limits });
const js = jetstream(nc);
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const signature = request.headers['x-hub-signature-256'];
    const delivery = request.headers['x-github-delivery'];
    void (async () => {
      if (
        typeof signature !== 'string' ||
        typeof delivery !== 'string' ||
        !(await verify(secret, body.toString('utf8'), signature))
      ) {
        response.writeHead(401).end();
        return;
      }
      try {
        await js.publish(`${stream}.webhook`, body, { msgID: delivery });
        response.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
      } catch {
        response.writeHead(503).end();
      }
    })();
  });
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void nc.close().then(() => process.exit(0));
});
