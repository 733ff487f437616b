import { createServer, type AddressInfo, type Socket } from 'node:net';
import { CryptoKeys } from '@herald/core';
import {
  createHeraldTables,
  freePorts,
  runHerald,
  startDynalite,
  type DynamoDbServerFixture,
} from '@herald/testkit';

/**
 * The refusals packages/cli does not already prove (its refusals suite covers
 * `herald connection` with nothing set or nothing reachable, and `herald endpoint` with
 * bad values): `herald endpoint` with nothing set or nothing reachable, and each node
 * naming only the dependency that is actually down.
 */
describe('nodes refuse to start without what they need', () => {
  const key = CryptoKeys.generateKey();
  let dynalite: DynamoDbServerFixture;

  beforeAll(async () => {
    dynalite = await startDynalite();
    await createHeraldTables({ HERALD_DYNAMODB_ENDPOINT: dynalite.endpoint });
  });

  afterAll(async () => {
    await dynalite?.stop();
  });

  it('lists both missing required variables for `herald endpoint` and exits 2', async () => {
    const run = await runHerald(['endpoint'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('HERALD_CRYPTO_KEYS is required for `herald endpoint`');
    expect(run.stderr).toContain('HERALD_NATS_URL is required for `herald endpoint`');
    expect(run.stdout).not.toMatch(/\bready\b/);
  });

  it('exits 1 naming both when nothing listens at the DynamoDB and NATS addresses given to `herald endpoint`', async () => {
    const [natsPort, dynamoPort] = await freePorts(2);
    const run = await runHerald(['endpoint'], {
      HERALD_CRYPTO_KEYS: key,
      HERALD_NATS_URL: `nats://127.0.0.1:${natsPort}`,
      HERALD_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
      HERALD_DEPENDENCY_TIMEOUT_MS: '2000',
      HERALD_HOST: '127.0.0.1',
      HERALD_HTTP_PORT: '0',
      HERALD_OPS_PORT: '0',
      HERALD_LOG_LEVEL: 'error',
    });
    expect(run.code).toBe(1);
    expect(run.elapsedMs).toBeLessThan(10_000);
    expect(run.stderr).toContain(
      'Cannot start `herald endpoint`: its dependencies did not answer within 2000 ms:',
    );
    expect(run.stderr).toContain(`DynamoDB (http://127.0.0.1:${dynamoPort}`);
    expect(run.stderr).toContain(`NATS (nats://127.0.0.1:${natsPort}) did not answer`);
    expect(run.stdout).not.toMatch(/\bready\b/);
  });

  it.each(['connection', 'endpoint'])(
    'exits 1 once the dependency timeout passes when `herald %s` finds DynamoDB and NATS accepting connections but never answering',
    async (role) => {
      const silent = await silentListener();
      try {
        const run = await runHerald([role], {
          HERALD_CRYPTO_KEYS: key,
          HERALD_NATS_URL: `nats://127.0.0.1:${silent.port}`,
          HERALD_DYNAMODB_ENDPOINT: `http://127.0.0.1:${silent.port}`,
          HERALD_DEPENDENCY_TIMEOUT_MS: '2000',
          HERALD_HOST: '127.0.0.1',
          HERALD_WS_PORT: '0',
          HERALD_HTTP_PORT: '0',
          HERALD_OPS_PORT: '0',
          HERALD_LOG_LEVEL: 'error',
        });
        expect(run.code).toBe(1);
        expect(run.elapsedMs).toBeGreaterThanOrEqual(2_000);
        expect(run.elapsedMs).toBeLessThan(10_000);
        expect(run.stderr).toContain(`DynamoDB (http://127.0.0.1:${silent.port}`);
        expect(run.stderr).toContain(`NATS (nats://127.0.0.1:${silent.port}) did not answer`);
        expect(run.stdout).not.toMatch(/\bready\b/);
      } finally {
        await silent.close();
      }
    },
  );

  it.each(['connection', 'endpoint'])(
    'names only NATS when `herald %s` reaches DynamoDB but not NATS',
    async (role) => {
      const [natsPort] = await freePorts(1);
      const run = await runHerald([role], {
        HERALD_CRYPTO_KEYS: key,
        HERALD_NATS_URL: `nats://127.0.0.1:${natsPort}`,
        HERALD_DYNAMODB_ENDPOINT: dynalite.endpoint,
        HERALD_DEPENDENCY_TIMEOUT_MS: '2000',
        HERALD_HOST: '127.0.0.1',
        HERALD_WS_PORT: '0',
        HERALD_HTTP_PORT: '0',
        HERALD_OPS_PORT: '0',
        HERALD_LOG_LEVEL: 'error',
      });
      expect(run.code).toBe(1);
      expect(run.elapsedMs).toBeLessThan(10_000);
      expect(run.stderr).toContain(`NATS (nats://127.0.0.1:${natsPort}) did not answer`);
      expect(run.stderr).not.toContain('DynamoDB (');
    },
  );
});

/** A TCP server that accepts every connection and never says a word (a hung dependency). */
async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
