import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedDynalite {
  /** `http://host:port`, for `createDynamoDbStores({ endpoint })`. */
  readonly endpoint: string;
  readonly port: number;
  /** Stops listening and closes the LevelDB store (flushing it to `path`). */
  close(): Promise<void>;
}

/**
 * Starts dynalite, a DynamoDB-compatible server, inside this process, so `herald dev`
 * runs the same DynamoDB adapter code as production. With `path` the data persists in a
 * LevelDB directory (created if missing; one process at a time); without it, it lives in
 * memory. `port` 0 or absent picks a free port; `host` defaults to loopback.
 */
export async function startEmbeddedDynalite(
  options: { path?: string; port?: number; host?: string } = {},
): Promise<EmbeddedDynalite> {
  const host = options.host ?? '127.0.0.1';
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  // Table state changes are instant: dynalite's default 500 ms delays only slow tests and dev start-up.
  const server = dynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of clients that were not destroyed would hold close open.
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
