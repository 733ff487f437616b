import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * `count` distinct loopback ports that were free a moment ago, for child processes that
 * must be told their ports up front (a herald node, restarted on the same address).
 * All are held open together before any is released, so none is handed out twice.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
