import { type LoggerService, type LogLevel } from '@nestjs/common';
import { pino, type Logger, type LoggerOptions } from 'pino';
import { currentContext } from './correlation.js';
import { SECRET_KEYS, maskSecrets } from './secrets.js';

export interface LoggerConfig {
  /** Every line's `service`; a process that hosts several services leaves it out and gives each a child. */
  service?: string;
  level?: string;
  /** Human-readable lines for a terminal; JSON otherwise. */
  pretty?: boolean;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

function redactPaths(): string[] {
  return SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `headers["${key.toLowerCase()}"]`]);
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: config.service === undefined ? {} : { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: '****' },
    mixin() {
      const context = currentContext();
      return context ? { correlationid: context.correlationid } : {};
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((arg) => (typeof arg === 'string' ? maskSecrets(arg) : arg)) as Parameters<
          typeof method
        >;
        method.apply(this, masked);
      },
    },
    formatters: {
      level: (label) => ({ level: label }),
      log(object) {
        const err = object['err'];
        if (err instanceof Error) {
          return {
            ...object,
            err: { type: err.name, message: maskSecrets(err.message), stack: maskSecrets(err.stack ?? '') },
          };
        }
        return object;
      },
    },
  };
  if (config.pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
      },
    });
  }
  return config.destination ? pino(options, config.destination) : pino(options);
}

const NEST_TO_PINO: Record<LogLevel, 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal'> = {
  log: 'info',
  error: 'error',
  warn: 'warn',
  debug: 'debug',
  verbose: 'trace',
  fatal: 'fatal',
};

/** Lets Nest's own logging (and `new Logger(Context)` in services) go through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    const context = typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    const method = NEST_TO_PINO[level];
    if (message instanceof Error) {
      this.logger[method]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[method]({ context, ...message });
    } else if (level === 'error' && typeof params[0] === 'string' && params.length > 1) {
      this.logger[method]({ context, stack: maskSecrets(params[0]) }, String(message));
    } else {
      this.logger[method]({ context }, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
