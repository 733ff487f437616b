import { writeSync } from 'node:fs';

/**
 * Plain lines for people (URLs, `ready`, generated keys), written to stdout between the
 * JSON log lines. Kept in one place so commands never call `console.*` (whose
 * formatting and buffering differ) and tests know where to look.
 */
export function printLine(text: string): void {
  // The same synchronous fd write as the logger's, so lines and logs keep their order.
  writeSync(1, `${text}\n`);
}

/** Hints that must not pollute stdout (which scripts capture), e.g. around a key. */
export function printNote(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** `0.0.0.0`, `::` and loopback addresses are shown as `localhost`, which a browser can open. */
export function displayHost(host: string): string {
  return ['0.0.0.0', '::', '127.0.0.1', '::1'].includes(host)
    ? 'localhost'
    : host.includes(':')
      ? `[${host}]`
      : host;
}
