import type { Logger } from '@herald/core';

/** A Logger that keeps entries in memory, so tests stay quiet and can assert on errors. */
export class MemoryLogger implements Logger {
  readonly entries: { level: string; message: string; fields: object }[] = [];

  debug(fields: object, message: string): void {
    this.entries.push({ level: 'debug', message, fields });
  }
  info(fields: object, message: string): void {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(fields: object, message: string): void {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(fields: object, message: string): void {
    this.entries.push({ level: 'error', message, fields });
  }
  child(): Logger {
    return this;
  }

  errors(): string[] {
    return this.entries.filter((e) => e.level === 'error').map((e) => e.message);
  }
}
