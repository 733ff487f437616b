import pino from 'pino';
import type { Logger } from '@herald/core';
import type { LogLevel } from './settings';

/**
 * Field names whose values are secrets, wherever they appear (top level, one level deep,
 * or inside a `headers` object). Callers should never log them in the first place; this
 * is the safety net for the day one slips through.
 */
const SECRET_FIELDS = [
  'authorization',
  'cryptoKey',
  'crypto_key',
  'cryptoKeys',
  'token',
  'privateKey',
  'auth',
  'p256dh',
];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'headers.authorization',
  'headers["crypto-key"]',
  '*.headers.authorization',
  '*.headers["crypto-key"]',
];

export interface LoggerOptions {
  readonly level: LogLevel;
  /** The process's role, e.g. `herald-connection`; every line carries it. */
  readonly name: string;
  /** Where the JSON lines go; stdout unless a test captures them. */
  readonly destination?: NodeJS.WritableStream;
}

/**
 * A pino logger writing one JSON object per line to stdout, synchronously (so lines from
 * a crashing process are not lost and plain lines printed between them keep their
 * order). Secret fields are replaced with `[redacted]`.
 */
export function createLogger(options: LoggerOptions): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Explicitly synchronous: pino's default destination may buffer, and then a plain line
  // printed after "listening" could appear before it.
  const logger = pino(settings, options.destination ?? pino.destination({ dest: 1, sync: true }));
  return logger;
}
