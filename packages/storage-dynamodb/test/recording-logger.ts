import type { Logger } from '@herald/core';

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: object;
}

/** A Logger that keeps what it is told, so tests can assert on what was (not) logged. */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bindings: object = {},
  ) {}

  debug(fields: object, message: string): void {
    this.entries.push({ level: 'debug', message, fields: { ...this.bindings, ...fields } });
  }
  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', message, fields: { ...this.bindings, ...fields } });
  }
  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', message, fields: { ...this.bindings, ...fields } });
  }
  error(fields: object, message: string): void {
    this.entries.push({ level: 'error', message, fields: { ...this.bindings, ...fields } });
  }
  child(bindings: object): Logger {
    return new RecordingLogger(this.entries, { ...this.bindings, ...bindings });
  }
}
