import { createServer } from 'node:http';
import { FlagStore, ValidationError } from './flags.js';
import { createMetrics } from './metrics.js';

const MAX_BODY = 64 * 1024;

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(res, status, body) {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  res.end(payload);
}

async function readJson(req) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'the body is too large');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The feature-flag API. `slowMs` and `errorRate` make a version slower or failing on purpose
 * (the canary demo's bad release); `random` is injectable so tests decide which requests fail.
 */
export function createApp({ slowMs = 0, errorRate = 0, random = Math.random, version = 'dev' } = {}) {
  const flags = new FlagStore();
  const metrics = createMetrics();

  async function route(req, res, url) {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/health') return { route: '/health', status: 200, body: { status: 'ok', version } };
    if (path === '/metrics') return { route: '/metrics', metrics: true };
    if (path === '/flags' || path.startsWith('/flags/')) {
      if (slowMs > 0) await sleep(slowMs);
      if (errorRate > 0 && random() < errorRate) throw new HttpError(500, 'injected failure (ERROR_RATE)');
    }
    if (path === '/flags') {
      if (req.method === 'GET') return { route: '/flags', status: 200, body: flags.list() };
      if (req.method === 'POST') {
        const created = flags.create(await readJson(req));
        if (!created) throw new HttpError(409, 'a flag with that name exists');
        return { route: '/flags', status: 201, body: created };
      }
      throw new HttpError(405, 'use GET or POST');
    }
    const match = /^\/flags\/([^/]+)$/.exec(path);
    if (match) {
      const name = decodeURIComponent(match[1]);
      const r = '/flags/:name';
      if (req.method === 'GET') {
        const flag = flags.get(name);
        if (!flag) throw Object.assign(new HttpError(404, `no flag ${name}`), { route: r });
        return { route: r, status: 200, body: flag };
      }
      if (req.method === 'PUT') {
        const updated = flags.update(name, await readJson(req));
        if (!updated) throw Object.assign(new HttpError(404, `no flag ${name}`), { route: r });
        return { route: r, status: 200, body: updated };
      }
      if (req.method === 'DELETE') {
        if (!flags.delete(name)) throw Object.assign(new HttpError(404, `no flag ${name}`), { route: r });
        return { route: r, status: 204 };
      }
      throw Object.assign(new HttpError(405, 'use GET, PUT or DELETE'), { route: r });
    }
    throw Object.assign(new HttpError(404, 'not found'), { route: 'unknown' });
  }

  async function handle(req, res) {
    const end = metrics.duration.startTimer({ method: req.method });
    const url = new URL(req.url ?? '/', 'http://localhost');
    let routeName = url.pathname.startsWith('/flags/') ? '/flags/:name' : url.pathname;
    let status = 500;
    try {
      const result = await route(req, res, url);
      routeName = result.route;
      if (result.metrics) {
        status = 200;
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(await metrics.registry.metrics());
      } else {
        status = result.status;
        send(res, status, result.body);
      }
    } catch (error) {
      if (error instanceof ValidationError) status = 400;
      else if (error instanceof HttpError) status = error.status;
      if (error.route) routeName = error.route;
      send(res, status, {
        error: status === 500 && !(error instanceof HttpError) ? 'internal error' : error.message,
      });
    } finally {
      const labels = { route: routeName, status_code: String(status) };
      end(labels);
      if (status >= 500) metrics.errors.inc({ method: req.method, ...labels });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  return { server, flags, metrics };
}
