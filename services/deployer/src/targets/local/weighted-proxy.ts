import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createProxyServer } from 'http-proxy-3';

export interface Backend {
  url: string;
  weight: number;
}

/**
 * Smooth weighted round robin (as NGINX does it): over any run of requests each backend gets its
 * share of the total weight, spread out rather than in bursts.
 */
export class WeightedBalancer {
  private current = new Map<string, number>();

  pick(backends: Backend[]): Backend | undefined {
    const live = backends.filter((b) => b.weight > 0);
    if (live.length === 0) return undefined;
    const total = live.reduce((sum, b) => sum + b.weight, 0);
    let best: Backend | undefined;
    let bestWeight = -Infinity;
    const next = new Map<string, number>();
    for (const backend of live) {
      const weight = (this.current.get(backend.url) ?? 0) + backend.weight;
      next.set(backend.url, weight);
      if (weight > bestWeight) {
        best = backend;
        bestWeight = weight;
      }
    }
    next.set(best!.url, bestWeight - total);
    this.current = next;
    return best;
  }
}

/** The local provider's front door for one application: requests go to its processes by weight. */
export class WeightedProxy {
  private server?: Server;
  private readonly proxy = createProxyServer({ xfwd: true });
  private readonly balancer = new WeightedBalancer();

  constructor(private readonly backends: () => Backend[]) {
    this.proxy.on('error', (_error, _req, res) => {
      const response = res as ServerResponse;
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('bad gateway: the instance did not answer\n');
    });
  }

  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const backend = this.balancer.pick(this.backends());
      if (!backend) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('no healthy instance\n');
        return;
      }
      this.proxy.web(req, res, { target: backend.url });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.proxy.close();
  }
}
