import { type Logger } from 'pino';
import { type Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's messages through the service's pino logger. Failed queries are logged at debug only:
 * the error reaches the caller, which decides whether it matters.
 */
export function typeOrmLogger(logger: Logger): TypeOrmLogger {
  return {
    logQuery: (query, parameters) => {
      if (logger.isLevelEnabled('trace')) logger.trace({ query, parameters }, 'query');
    },
    logQueryError: (error, query) =>
      logger.debug({ query, err: error instanceof Error ? error : new Error(error) }, 'query failed'),
    logQuerySlow: (time, query) => logger.warn({ query, durationMs: time }, 'slow query'),
    logSchemaBuild: (message) => logger.debug(message),
    logMigration: (message) => logger.info(message),
    log: (level, message: unknown) => {
      const text = typeof message === 'string' ? message : JSON.stringify(message);
      if (level === 'warn') logger.warn(text);
      else if (level === 'info') logger.info(text);
      else logger.debug(text);
    },
  };
}
