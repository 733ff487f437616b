import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoKeys } from '@herald/core';
import { ConfigError, loadConfig } from '../src';

const KEY = CryptoKeys.generateKey();
const SPLIT_ENV = { HERALD_CRYPTO_KEYS: KEY, HERALD_NATS_URL: 'nats://127.0.0.1:4222' };

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'herald-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies the contract defaults to a connection node', () => {
    const config = loadConfig('connection', SPLIT_ENV);
    expect(config).toMatchObject({
      role: 'connection',
      wsPort: 8080,
      httpPort: 8082,
      opsPort: 8081,
      host: '0.0.0.0',
      publicOrigin: 'http://localhost:8082',
      natsServers: ['nats://127.0.0.1:4222'],
      logLevel: 'info',
      cryptoKeysSource: 'env',
      helloTimeoutMs: 10_000,
      maxBodyBytes: 5630,
      maxTtlSeconds: 2_592_000,
      messageLimitPerDrain: 150,
      dependencyTimeoutMs: 10_000,
      dynamoDb: {
        endpoint: undefined,
        region: undefined,
        maxSockets: 96,
        routerTable: 'herald_router',
        messageTable: 'herald_message',
      },
    });
    expect(config.nodeId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(config.dataDir).toBe(join(process.cwd(), '.herald'));
  });

  it('gives an endpoint node ops port 8083 and a dev process ops port 8081 on loopback', () => {
    expect(loadConfig('endpoint', SPLIT_ENV).opsPort).toBe(8083);
    const dev = loadConfig('dev', { HERALD_DATA_DIR: dataDir });
    expect(dev.opsPort).toBe(8081);
    expect(dev.host).toBe('127.0.0.1');
    expect(dev.natsServers).toBeUndefined();
  });

  it('defaults the region to us-east-1 only when a DynamoDB endpoint override is set', () => {
    const local = loadConfig('tables', { HERALD_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });
    expect(local.dynamoDb).toMatchObject({
      endpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
    });
    expect(loadConfig('tables', { AWS_REGION: 'eu-west-1' }).dynamoDb.region).toBe('eu-west-1');
  });

  it('bounds the DynamoDB connection pool by HERALD_DYNAMODB_MAX_SOCKETS', () => {
    const env = { ...SPLIT_ENV, HERALD_DYNAMODB_MAX_SOCKETS: '16' };
    expect(loadConfig('connection', env).dynamoDb.maxSockets).toBe(16);
    expect(loadConfig('endpoint', env).dynamoDb.maxSockets).toBe(16);
    expect(loadConfig('dev', { HERALD_DATA_DIR: dataDir, ...env }).dynamoDb.maxSockets).toBe(16);
  });

  it.each(['0', '-1', '1.5', 'many', '10001'])(
    'refuses HERALD_DYNAMODB_MAX_SOCKETS=%s, saying what it expects',
    (value) => {
      const error = configError(() =>
        loadConfig('connection', { ...SPLIT_ENV, HERALD_DYNAMODB_MAX_SOCKETS: value }),
      );
      expect(error.problems).toEqual([
        `HERALD_DYNAMODB_MAX_SOCKETS must be a whole number from 1 to 10000 (got ${JSON.stringify(value)}): the most connections a node keeps open to DynamoDB; further calls queue for a free one (time queued counts against the request timeout)`,
      ]);
    },
  );

  it('derives the public origin from HERALD_PUBLIC_URL, dropping a trailing slash and default port', () => {
    const config = loadConfig('endpoint', {
      ...SPLIT_ENV,
      HERALD_PUBLIC_URL: 'https://push.example.com:443/',
    });
    expect(config.publicOrigin).toBe('https://push.example.com');
  });

  it('follows HERALD_HTTP_PORT in the default public origin', () => {
    expect(loadConfig('endpoint', { ...SPLIT_ENV, HERALD_HTTP_PORT: '9000' }).publicOrigin).toBe(
      'http://localhost:9000',
    );
  });

  it('splits a comma-separated NATS cluster list', () => {
    const config = loadConfig('connection', {
      ...SPLIT_ENV,
      HERALD_NATS_URL: 'nats://a:4222, tls://b:4223',
    });
    expect(config.natsServers).toEqual(['nats://a:4222', 'tls://b:4223']);
  });

  it('treats empty values as unset', () => {
    expect(
      loadConfig('connection', { ...SPLIT_ENV, HERALD_WS_PORT: '', HERALD_LOG_LEVEL: ' ' }).wsPort,
    ).toBe(8080);
  });

  it('lists every missing required variable for a connection node at once', () => {
    const error = configError(() => loadConfig('connection', {}));
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain(
      'HERALD_NATS_URL is required for `herald connection`: the NATS server(s) nodes use to reach each other, e.g. nats://127.0.0.1:4222',
    );
    expect(error.message).toContain('HERALD_CRYPTO_KEYS is required for `herald connection`');
  });

  it('lists every bad variable, one per line, with what it expects', () => {
    const error = configError(() =>
      loadConfig('endpoint', {
        HERALD_WS_PORT: '99999',
        HERALD_HTTP_PORT: 'http',
        HERALD_PUBLIC_URL: 'https://push.example.com/base?x=1',
        HERALD_NATS_URL: 'http://127.0.0.1:4222',
        HERALD_CRYPTO_KEYS: 'c2hvcnQ',
        HERALD_LOG_LEVEL: 'verbose',
        HERALD_DYNAMODB_ENDPOINT: 'localhost:8000',
        HERALD_MSG_LIMIT: '0',
        HERALD_DYNAMODB_MAX_SOCKETS: 'lots',
      }),
    );
    const lines = error.message.split('\n').slice(1);
    expect(lines).toHaveLength(9);
    for (const name of [
      'HERALD_WS_PORT',
      'HERALD_HTTP_PORT',
      'HERALD_PUBLIC_URL',
      'HERALD_NATS_URL',
      'HERALD_CRYPTO_KEYS',
      'HERALD_LOG_LEVEL',
      'HERALD_DYNAMODB_ENDPOINT',
      'HERALD_MSG_LIMIT',
      'HERALD_DYNAMODB_MAX_SOCKETS',
    ]) {
      expect(lines.filter((line) => line.includes(name))).toHaveLength(1);
    }
    expect(error.message).toContain('HERALD_PUBLIC_URL must have no path, query or fragment');
    expect(error.message).toContain('HERALD_LOG_LEVEL must be one of debug, info, warn, error');
  });

  it('never echoes the crypto keys in its message', () => {
    const secret = 'not-a-real-key-but-secret';
    const error = configError(() =>
      loadConfig('connection', { ...SPLIT_ENV, HERALD_CRYPTO_KEYS: secret }),
    );
    expect(error.message).toContain('HERALD_CRYPTO_KEYS is not a usable key list');
    expect(error.message).not.toContain(secret);
  });

  it('rejects a public URL that is not http or https', () => {
    const error = configError(() =>
      loadConfig('endpoint', { ...SPLIT_ENV, HERALD_PUBLIC_URL: 'ftp://push.example.com' }),
    );
    expect(error.message).toContain('HERALD_PUBLIC_URL must use http or https');
  });

  it('does not require NATS or keys to create tables', () => {
    expect(loadConfig('tables', {}).role).toBe('tables');
  });

  it('generates a dev key in the data dir with mode 0600, then reuses it', () => {
    const first = loadConfig('dev', { HERALD_DATA_DIR: dataDir });
    expect(first.cryptoKeysSource).toBe('generated');
    const path = join(dataDir, 'crypto-keys');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const token = first.cryptoKeys.seal(Buffer.from('hello'));

    const second = loadConfig('dev', { HERALD_DATA_DIR: dataDir });
    expect(second.cryptoKeysSource).toBe('data-dir');
    expect(second.cryptoKeys.open(token)?.toString()).toBe('hello');
    expect(readFileSync(path, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('prefers HERALD_CRYPTO_KEYS over the dev key file', () => {
    const config = loadConfig('dev', { HERALD_DATA_DIR: dataDir, HERALD_CRYPTO_KEYS: KEY });
    expect(config.cryptoKeysSource).toBe('env');
    expect(() => statSync(join(dataDir, 'crypto-keys'))).toThrow();
  });

  it('refuses a dev key file that holds no usable key', () => {
    writeFileSync(join(dataDir, 'crypto-keys'), 'garbage\n');
    const error = configError(() => loadConfig('dev', { HERALD_DATA_DIR: dataDir }));
    expect(error.message).toContain('does not hold usable keys');
  });
});
