import type { Logger } from '@herald/core';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A Logger that keeps what it is told, so tests can assert on logging. */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  debug(fields: object, message: string): void {
    this.#record('debug', fields, message);
  }
  info(fields: object, message: string): void {
    this.#record('info', fields, message);
  }
  warn(fields: object, message: string): void {
    this.#record('warn', fields, message);
  }
  error(fields: object, message: string): void {
    this.#record('error', fields, message);
  }
  child(bindings: object): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }

  /** Entries with this exact message. */
  withMessage(message: string): LogEntry[] {
    return this.entries.filter((entry) => entry.message === message);
  }

  #record(level: LogEntry['level'], fields: object, message: string): void {
    this.entries.push({ level, message, fields: { ...this.bindings, ...fields } });
  }
}
