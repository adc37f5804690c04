import { deleteStreams, natsUrlForTests, uniqueBusNames } from './nats.js';
import { databaseUrlForTests, dropSchema, uniqueSchemaName } from './postgres.js';

export interface IsolatedServiceEnv {
  natsUrl: string;
  databaseUrl: string;
  names: { subjectRoot: string; streamPrefix: string };
  schemaPrefix: string;
  /** A service's variables: the test NATS and PostgreSQL under names no other test uses, any port. */
  env: Record<string, string>;
  /** Drops the schemas of the services named and the streams the bus created. */
  cleanup(services: string[]): Promise<void>;
}

/**
 * What an integration test gives a service it starts in-process: the test servers, a subject root,
 * stream prefix and schema prefix of its own, port 0 and silent logs (unless `env` says otherwise).
 */
export async function isolatedServiceEnv(
  tag: string,
  env: Record<string, string> = {},
): Promise<IsolatedServiceEnv> {
  const names = uniqueBusNames();
  const schemaPrefix = `${uniqueSchemaName(tag)}_`;
  const natsUrl = await natsUrlForTests();
  const databaseUrl = await databaseUrlForTests();
  return {
    natsUrl,
    databaseUrl,
    names,
    schemaPrefix,
    env: {
      NATS_URL: natsUrl,
      DATABASE_URL: databaseUrl,
      AVIARY_SUBJECT_ROOT: names.subjectRoot,
      AVIARY_STREAM_PREFIX: names.streamPrefix,
      AVIARY_SCHEMA_PREFIX: schemaPrefix,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    async cleanup(services) {
      for (const service of services)
        await dropSchema(databaseUrl, `${schemaPrefix}${service}`).catch(() => undefined);
      await deleteStreams(natsUrl, names.streamPrefix).catch(() => undefined);
    },
  };
}
