import { createServer, type Server, type Socket } from 'node:net';
import { type PGlite } from '@electric-sql/pglite';

const PROTOCOL_VERSION_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const LOCK_NOT_AVAILABLE = '55P03';

function protocolMessage(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const message = Buffer.alloc(5 + body.length);
  message.write(type, 0, 'latin1');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

const SYNC = protocolMessage('S');
const ROLLBACK = protocolMessage('Q', Buffer.from('ROLLBACK\0'));

function closeStatement(name: string): Buffer {
  return protocolMessage('C', Buffer.concat([Buffer.from('S'), Buffer.from(`${name}\0`, 'utf8')]));
}

function errorResponse(code: string, message: string): Buffer {
  const fields = [`SERROR`, `VERROR`, `C${code}`, `M${message}`].map((field) => Buffer.from(`${field}\0`));
  return protocolMessage('E', Buffer.concat([...fields, Buffer.from([0])]));
}

function readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
  return protocolMessage('Z', Buffer.from(status, 'latin1'));
}

function cString(message: Buffer, offset: number): { value: string; end: number } {
  const end = message.indexOf(0, offset);
  if (end < 0) throw new Error('malformed protocol message: a string without its terminator');
  return { value: message.toString('utf8', offset, end), end: end + 1 };
}

/**
 * A frontend message with its statement and portal names passed through `rename` (the unnamed ones,
 * empty, are left alone): Parse, Bind, Describe, Execute and Close carry them; others are returned
 * as they are. `onStatement` hears of every named statement a Parse creates or a Close drops.
 */
function renameObjects(
  message: Buffer,
  rename: (name: string) => string,
  onStatement: (name: string, created: boolean) => void,
): Buffer {
  const type = String.fromCharCode(message[0] ?? 0);
  const names: { start: number; end: number; name: string }[] = [];
  const at = (offset: number) => {
    const read = cString(message, offset);
    names.push({ start: offset, end: read.end - 1, name: read.value });
    return read.end;
  };
  if (type === 'P') {
    at(5);
    if (names[0]!.name) onStatement(rename(names[0]!.name), true);
  } else if (type === 'B') {
    at(at(5));
  } else if (type === 'E') {
    at(5);
  } else if (type === 'D' || type === 'C') {
    at(6);
    if (type === 'C' && message[5] === 0x53 /* S */ && names[0]!.name)
      onStatement(rename(names[0]!.name), false);
  } else return message;
  const parts: Buffer[] = [];
  let copied = 0;
  for (const { start, end, name } of names) {
    if (!name) continue;
    parts.push(message.subarray(copied, start), Buffer.from(rename(name), 'utf8'));
    copied = end;
  }
  if (parts.length === 0) return message;
  parts.push(message.subarray(copied));
  const renamed = Buffer.concat(parts);
  renamed.writeInt32BE(renamed.length - 1, 1);
  return renamed;
}

/** The transaction status of the last ReadyForQuery in a complete run of backend messages, if any. */
function lastReadyStatus(output: Buffer): string | undefined {
  let status: string | undefined;
  let offset = 0;
  while (offset + 5 <= output.length) {
    const length = output.readInt32BE(offset + 1);
    if (output[offset] === 0x5a /* Z */) status = String.fromCharCode(output[offset + 5] ?? 0);
    offset += 1 + length;
  }
  return status;
}

/**
 * PGlite is one single-user backend: every connection shares its session, its unnamed prepared
 * statement and its transaction. So the backend is lent to one connection at a time, from its
 * first message until the backend reports idle (ReadyForQuery 'I'): a whole extended-protocol
 * exchange, or a whole transaction, runs without another connection's messages in between.
 * (pglite-socket interleaves at the message level: a Parse from one client can land between another
 * client's Parse and Bind when a message spans two TCP reads.) A connection that waits longer than
 * `lockTimeoutMs` gets a lock_not_available error instead of hanging, which turns an application
 * deadlock (a transaction awaiting a query on another connection) into a failure.
 */
class BackendLock {
  private holder: WireConnection | undefined;
  private readonly waiters: { connection: WireConnection; settle: (granted: boolean) => void }[] = [];

  constructor(private readonly timeoutMs: number) {}

  isHeldBy(connection: WireConnection): boolean {
    return this.holder === connection;
  }

  /** Resolves false after the timeout, or when the connection goes away while waiting. */
  acquire(connection: WireConnection): Promise<boolean> {
    if (this.holder === connection) return Promise.resolve(true);
    if (this.holder === undefined) {
      this.holder = connection;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.forget(connection), this.timeoutMs);
      this.waiters.push({
        connection,
        settle: (granted) => {
          clearTimeout(timer);
          resolve(granted);
        },
      });
    });
  }

  release(connection: WireConnection): void {
    if (this.holder !== connection) return;
    const next = this.waiters.shift();
    this.holder = next?.connection;
    next?.settle(true);
  }

  forget(connection: WireConnection): void {
    const index = this.waiters.findIndex((waiter) => waiter.connection === connection);
    if (index >= 0) this.waiters.splice(index, 1)[0]?.settle(false);
  }
}

let connectionCount = 0;

class WireConnection {
  /**
   * PostgreSQL keeps named prepared statements and portals per session; PGlite's one session is
   * everyone's, so each connection's names get its own prefix (pg's statement cache, for one, would
   * otherwise collide: two pool connections preparing the same name).
   */
  private readonly prefix = `w${(connectionCount += 1)}_`;
  /** Its named statements still prepared: closed when it goes, as a session's end would drop them. */
  private readonly statements = new Set<string>();
  private buffer = Buffer.alloc(0);
  private started = false;
  /** After a lock timeout in an extended-protocol exchange, PostgreSQL skips messages until Sync. */
  private discarding = false;
  private pumping: Promise<void> | undefined;
  private closed = false;
  private teardown: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly db: PGlite,
    private readonly lock: BackendLock,
    private readonly lockTimeoutMs: number,
    private readonly onGone: (connection: WireConnection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.pumping ??= this.pump()
        .catch(() => {
          this.socket.destroy();
        })
        .finally(() => (this.pumping = undefined));
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.destroy());
  }

  private send(data: Buffer | string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(data);
  }

  private nextMessage(): Buffer | undefined {
    const headerLength = this.started ? 5 : 4;
    if (this.buffer.length < headerLength) return undefined;
    const length = this.started ? 1 + this.buffer.readInt32BE(1) : this.buffer.readInt32BE(0);
    if (this.buffer.length < length) return undefined;
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return message;
  }

  private async pump(): Promise<void> {
    for (let message = this.nextMessage(); message && !this.closed; message = this.nextMessage()) {
      if (this.started) await this.handle(message);
      else await this.handleStartup(message);
    }
  }

  private async handleStartup(message: Buffer): Promise<void> {
    const code = message.length >= 8 ? message.readInt32BE(4) : 0;
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      this.send('N');
      return;
    }
    if (code !== PROTOCOL_VERSION_3) {
      // CancelRequest included: one shared backend cannot cancel a query without cancelling everyone's.
      this.socket.destroy();
      return;
    }
    if (!(await this.lock.acquire(this))) {
      this.send(errorResponse(LOCK_NOT_AVAILABLE, this.busyMessage()));
      this.socket.end();
      return;
    }
    this.started = true;
    await this.execute(message);
  }

  private async handle(message: Buffer): Promise<void> {
    const type = String.fromCharCode(message[0] ?? 0);
    if (type === 'X') {
      this.socket.end();
      return;
    }
    if (this.discarding) {
      if (type === 'S') {
        this.discarding = false;
        this.send(readyForQuery('I'));
      }
      return;
    }
    if (!(await this.lock.acquire(this))) {
      this.send(errorResponse(LOCK_NOT_AVAILABLE, this.busyMessage()));
      if (type === 'Q' || type === 'S') this.send(readyForQuery('I'));
      else this.discarding = true;
      return;
    }
    await this.execute(
      renameObjects(
        message,
        (name) => `${this.prefix}${name}`,
        (name, created) => (created ? this.statements.add(name) : this.statements.delete(name)),
      ),
    );
  }

  private busyMessage(): string {
    return (
      `PGlite was busy with another connection's transaction for ${this.lockTimeoutMs} ms ` +
      `(is a transaction waiting for a query on another connection?)`
    );
  }

  private async execute(message: Buffer): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      await this.run(message, chunks);
    } catch (error) {
      this.lock.release(this);
      this.send(errorResponse('XX000', `PGlite failed: ${(error as Error).message}`));
      this.socket.end();
      return;
    }
    const output = Buffer.concat(chunks);
    this.send(output);
    if (lastReadyStatus(output) === 'I') this.lock.release(this);
  }

  private run(message: Buffer, chunks: Buffer[] = []): Promise<void> {
    return this.db.runExclusive(() =>
      this.db.execProtocolRawStream(new Uint8Array(message), {
        onRawData: (data) => chunks.push(Buffer.from(data)),
      }),
    );
  }

  destroy(): Promise<void> {
    this.teardown ??= this.release();
    return this.teardown;
  }

  /** A client that vanishes mid-exchange or mid-transaction must not leave the backend lent to it. */
  private async release(): Promise<void> {
    this.closed = true;
    this.socket.destroy();
    this.lock.forget(this);
    await this.pumping;
    if (!this.lock.isHeldBy(this) && this.statements.size > 0) await this.lock.acquire(this);
    if (this.lock.isHeldBy(this)) {
      try {
        await this.run(SYNC);
        if (this.db.isInTransaction()) await this.run(ROLLBACK);
        for (const name of this.statements) await this.run(closeStatement(name));
        if (this.statements.size > 0) await this.run(SYNC);
      } catch {
        // The backend itself failed or is closing; there is nothing left to roll back.
      } finally {
        this.lock.release(this);
      }
    }
    this.onGone(this);
  }
}

/** Serves the PostgreSQL wire protocol from one PGlite to many pg clients, one exchange at a time. */
export class PGliteWireServer {
  private readonly connections = new Set<WireConnection>();
  private readonly lock: BackendLock;
  private readonly server: Server;

  constructor(
    private readonly db: PGlite,
    private readonly lockTimeoutMs: number,
  ) {
    this.lock = new BackendLock(lockTimeoutMs);
    this.server = createServer((socket) => {
      const connection = new WireConnection(socket, this.db, this.lock, this.lockTimeoutMs, (gone) =>
        this.connections.delete(gone),
      );
      this.connections.add(connection);
    });
  }

  listen(path: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(path, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all([...this.connections].map((connection) => connection.destroy()));
    await closed;
  }
}
