import { createServer, type Server, type Socket } from 'node:net';
import { BusUnavailableError, type NodeBus } from '@herald/core';
import { startNatsServer, type NatsServerFixture } from '@herald/testkit';
import { connectNatsBus } from '../src';
import { unusedPort } from './free-port';
import { RecordingLogger } from './recording-logger';

describe('connectNatsBus', () => {
  let server: NatsServerFixture;
  const buses: NodeBus[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    for (const bus of buses) await bus.close();
    await server.stop();
  });

  it('connects when the first server of the list is down', async () => {
    const deadUrl = `nats://127.0.0.1:${await unusedPort()}`;
    // nats.js shuffles the list: connect a few times so the dead server is tried
    // first in all but one run in 2^4.
    const connecting = Array.from({ length: 4 }, (_, n) =>
      connectNatsBus({
        servers: [deadUrl, server.url],
        name: `multi-${n}`,
        log: new RecordingLogger(),
        connectTimeoutMs: 3_000,
      }),
    );
    const connected = await Promise.all(connecting);
    buses.push(...connected);

    for (const bus of connected) await expect(bus.ping()).resolves.toBeUndefined();
  });

  it('rejects with BusUnavailableError, quickly, when nothing listens on the port', async () => {
    const deadUrl = `nats://127.0.0.1:${await unusedPort()}`;
    const startedAtMs = Date.now();

    const attempt = connectNatsBus({
      servers: [deadUrl],
      name: 'dead',
      log: new RecordingLogger(),
      connectTimeoutMs: 2_000,
    });

    await expect(attempt).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(attempt).rejects.toThrow(
      /could not connect to NATS \(servers: nats:\/\/127\.0\.0\.1:\d+\)/,
    );
    expect(Date.now() - startedAtMs).toBeLessThan(2_000);
  });

  describe('against a server that accepts TCP but never speaks NATS', () => {
    let silent: Server;
    let silentPort: number;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      silentPort = (silent.address() as { port: number }).port;
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('rejects with BusUnavailableError once connectTimeoutMs has passed', async () => {
      const startedAtMs = Date.now();

      const attempt = connectNatsBus({
        servers: [`nats://127.0.0.1:${silentPort}`],
        name: 'silent',
        log: new RecordingLogger(),
        connectTimeoutMs: 500,
      });

      await expect(attempt).rejects.toBeInstanceOf(BusUnavailableError);
      const elapsedMs = Date.now() - startedAtMs;
      expect(elapsedMs).toBeGreaterThanOrEqual(450);
      expect(elapsedMs).toBeLessThan(2_000);
    });
  });

  it('never writes credentials from a server URL into its error message', async () => {
    const port = await unusedPort();

    const attempt = connectNatsBus({
      servers: [`nats://herald:s3cret@127.0.0.1:${port}`],
      name: 'creds',
      log: new RecordingLogger(),
    });

    await expect(attempt).rejects.toThrow(`nats://***@127.0.0.1:${port}`);
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });

  it('rejects an empty server list', async () => {
    await expect(
      connectNatsBus({ servers: [], name: 'none', log: new RecordingLogger() }),
    ).rejects.toBeInstanceOf(BusUnavailableError);
  });
});
