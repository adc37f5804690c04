import { DataSource } from 'typeorm';

/** Direct SQL on the test database, for what a test must see or break underneath the service. */
export class Sql {
  private readonly source: DataSource;
  private started: Promise<DataSource> | undefined;

  constructor(
    url: string,
    readonly schema: string,
  ) {
    this.source = new DataSource({ type: 'postgres', url, poolSize: 2, logging: false });
  }

  async query<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    this.started ??= this.source.initialize();
    const source = await this.started;
    const result = await source.query<T[] | [T[], number]>(
      text.replaceAll('$schema', `"${this.schema}"`),
      params,
    );
    // UPDATE and DELETE answer [rows, count].
    return Array.isArray(result[0]) ? result[0] : (result as T[]);
  }

  async close(): Promise<void> {
    if (this.started) await (await this.started).destroy();
  }
}
