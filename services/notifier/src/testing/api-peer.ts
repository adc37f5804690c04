import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createVerify } from 'node:crypto';
import { type AddressInfo } from 'node:net';
import { verifyWebhook } from '../channels/webhook/cloudevent-signature.js';

export interface RecordedCall {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: string;
  at: number;
  /** What the peer answered. */
  status: number;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[];
  updates: number;
}

export interface ApiPeerOptions {
  slackToken?: string;
  githubToken?: string;
  /** A GitHub App's public key (PEM): app JWTs are checked with it; installation tokens are issued. */
  githubAppPublicKey?: string;
  gitlabToken?: string;
  /** Secrets of the webhook receivers, by path (`/hooks/<name>`). */
  webhookSecrets?: Record<string, string>;
}

/**
 * One loopback HTTP server that answers as the Slack Web API (`/slack/api/<method>`), Slack incoming
 * webhooks (`/slack/hooks/<name>`), the GitHub REST API (`/github/...`), the GitLab API
 * (`/gitlab/...`) and webhook receivers that verify Aviary's signature (`/hooks/<name>`). It records
 * every call and can be told to answer the next calls on a path with 429, 5xx, or nothing at all.
 */
export class ApiPeer {
  readonly calls: RecordedCall[] = [];
  readonly slackMessages = new Map<string, SlackMessage>();
  private readonly scripts: Array<{ path: RegExp; answers: ScriptedAnswer[] }> = [];
  private readonly hanging: RegExp[] = [];
  private readonly held = new Set<ServerResponse>();
  private server!: Server;
  private tsCounter = 0;
  url = '';

  constructor(private readonly options: ApiPeerOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next calls on paths matching `path` get these answers, in order. */
  script(path: RegExp, ...answers: ScriptedAnswer[]): void {
    this.scripts.push({ path, answers });
  }

  /** Calls on paths matching `path` are never answered (a dead channel that accepts connections). */
  hang(path: RegExp): void {
    this.hanging.push(path);
  }

  callsTo(path: RegExp, method = 'POST'): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && path.test(c.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      // kept as text
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      raw,
      at: Date.now(),
      status: 0,
    };
    this.calls.push(call);
    if (this.hanging.some((p) => p.test(path))) {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    const script = this.scripts.find((s) => s.path.test(path) && s.answers.length > 0);
    const answer = script?.answers.shift() ?? this.answer(call);
    call.status = answer.status;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(
      answer.body === undefined
        ? ''
        : typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body),
    );
  }

  private answer(call: RecordedCall): ScriptedAnswer {
    const { path, headers } = call;
    const body = (call.body ?? {}) as Record<string, unknown>;
    if (path.startsWith('/slack/api/')) return this.slackApi(path.slice('/slack/api/'.length), headers, body);
    if (path.startsWith('/slack/hooks/'))
      return typeof body['text'] === 'string'
        ? { status: 200, body: 'ok' }
        : { status: 400, body: 'invalid_payload' };
    if (path.startsWith('/github/')) return this.github(path.slice('/github'.length), headers, body);
    if (path.startsWith('/gitlab/')) {
      if (headers['private-token'] !== this.options.gitlabToken)
        return { status: 401, body: { message: '401 Unauthorized' } };
      return /^\/gitlab\/projects\/[^/]+\/statuses\/[0-9a-f]+$/.test(path)
        ? { status: 201, body: { id: this.calls.length, status: body['state'], name: body['name'] } }
        : { status: 404, body: { message: '404 Not Found' } };
    }
    if (path.startsWith('/hooks/')) {
      const secret = this.options.webhookSecrets?.[path];
      if (!secret) return { status: 404 };
      const signature = headers['aviary-signature'];
      return verifyWebhook(secret, call.raw, typeof signature === 'string' ? signature : undefined)
        ? { status: 204 }
        : { status: 401, body: { error: 'bad signature' } };
    }
    return { status: 404 };
  }

  private slackApi(
    method: string,
    headers: IncomingMessage['headers'],
    body: Record<string, unknown>,
  ): ScriptedAnswer {
    if (headers.authorization !== `Bearer ${this.options.slackToken}`)
      return { status: 200, body: { ok: false, error: 'invalid_auth' } };
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const channel = text(body['channel']);
    if (method === 'chat.postMessage') {
      if (!channel) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
      const channelId = channel.startsWith('#') ? `C${channel.slice(1).toUpperCase()}` : channel;
      const ts = `1700000000.${String(++this.tsCounter).padStart(6, '0')}`;
      this.slackMessages.set(`${channelId}/${ts}`, {
        channel: channelId,
        ts,
        text: text(body['text']),
        blocks: (body['blocks'] as unknown[]) ?? [],
        updates: 0,
      });
      return { status: 200, body: { ok: true, channel: channelId, ts } };
    }
    if (method === 'chat.update') {
      const message = this.slackMessages.get(`${channel}/${String(body['ts'])}`);
      if (!message) return { status: 200, body: { ok: false, error: 'message_not_found' } };
      message.text = text(body['text']);
      message.blocks = (body['blocks'] as unknown[]) ?? [];
      message.updates += 1;
      return { status: 200, body: { ok: true, channel, ts: message.ts } };
    }
    if (method === 'chat.postEphemeral')
      return { status: 200, body: { ok: true, message_ts: '1700000000.999999' } };
    return { status: 200, body: { ok: false, error: 'unknown_method' } };
  }

  private github(
    path: string,
    headers: IncomingMessage['headers'],
    body: Record<string, unknown>,
  ): ScriptedAnswer {
    const auth = headers.authorization ?? '';
    const installation = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (installation || /^\/repos\/[^/]+\/[^/]+\/installation$/.test(path)) {
      if (!this.validAppJwt(auth))
        return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      if (installation)
        return {
          status: 201,
          body: {
            token: `ghs_installation${installation[1]}token`,
            expires_at: new Date(Date.now() + 3600_000).toISOString(),
          },
        };
      return { status: 200, body: { id: 4242, account: { login: 'acme' } } };
    }
    const status = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]+)$/.exec(path);
    if (!status) return { status: 404, body: { message: 'Not Found' } };
    const token = auth.replace(/^(token|bearer)\s+/i, '');
    const allowed = token === this.options.githubToken || /^ghs_installation\d+token$/.test(token);
    if (!allowed) return { status: 401, body: { message: 'Bad credentials' } };
    if (!['pending', 'success', 'failure', 'error'].includes(String(body['state'])))
      return { status: 422, body: { message: 'Validation Failed' } };
    return { status: 201, body: { id: this.calls.length, state: body['state'], context: body['context'] } };
  }

  private validAppJwt(authorization: string): boolean {
    const key = this.options.githubAppPublicKey;
    const match = /^bearer\s+([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(authorization);
    if (!key || !match) return false;
    const verifier = createVerify('RSA-SHA256');
    verifier.update(`${match[1]}.${match[2]}`);
    return verifier.verify(key, Buffer.from(match[3]!, 'base64url'));
  }
}
