import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { uuid_ossp } from '@electric-sql/pglite/contrib/uuid_ossp';
import { createDataDir, hasDatabase } from './create-data-dir.js';
import { PGliteWireServer } from './wire-server.js';

export interface PGliteHostOptions {
  /** A directory that keeps the data across restarts; in memory when absent. */
  dataDir?: string;
  /** How long a connection waits while another one holds the backend before it gets an error. */
  lockTimeoutMs?: number;
  /** postgresql.conf settings, over {@link PGLITE_SETTINGS}. */
  settings?: Record<string, string>;
}

/**
 * PostgreSQL's defaults size a server (PGlite keeps its 128 MB of shared buffers); an embedded
 * database of a few services' rows does with much less, and every megabyte here is resident memory
 * of the process that hosts it.
 */
export const PGLITE_SETTINGS: Record<string, string> = {
  shared_buffers: '16MB',
};

/** pg's convention: a host starting with `/` is a directory holding the socket `.s.PGSQL.<port>`. */
const SOCKET_PORT = 5432;

/**
 * One PGlite for every service of a standalone process. Services reach it through the same pg
 * driver (and so the same type parsing, errors and migrations) as a real server: a wire-protocol
 * front on a Unix socket in a private temporary directory, so no other local user can connect.
 */
export class PGliteHost {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGliteWireServer,
    readonly socketDir: string,
  ) {}

  static async start(options: PGliteHostOptions = {}): Promise<PGliteHost> {
    const settings = { ...PGLITE_SETTINGS, ...options.settings };
    const postgresqlconf = Object.entries(settings).map(([name, value]) => `${name}=${value}`);
    if (options.dataDir !== undefined && !hasDatabase(options.dataDir))
      await createDataDir(options.dataDir, postgresqlconf);
    const db = await PGlite.create({
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      extensions: { uuid_ossp },
      postgresqlconf,
    });
    const socketDir = await mkdtemp(join(tmpdir(), 'aviary-pglite-'));
    try {
      await db.exec('CREATE EXTENSION IF NOT EXISTS "uuid-ossp"');
      const server = new PGliteWireServer(db, options.lockTimeoutMs ?? 15_000);
      await server.listen(join(socketDir, `.s.PGSQL.${SOCKET_PORT}`));
      return new PGliteHost(db, server, socketDir);
    } catch (error) {
      await db.close();
      await rm(socketDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** What a pg client (or TypeORM's postgres driver) needs to connect. */
  get connection(): { host: string; port: number; user: string; database: string } {
    return { host: this.socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.server.close();
      await this.db.close();
      await rm(this.socketDir, { recursive: true, force: true });
    })();
    return this.closing;
  }
}
