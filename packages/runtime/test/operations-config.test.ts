import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoKeys } from '@herald/core';
import { ConfigError, loadConfig, settingDocs, settingsOf, settingsSchema } from '../src';

const SPLIT_ENV = {
  HERALD_CRYPTO_KEYS: CryptoKeys.generateKey(),
  HERALD_NATS_URL: 'nats://127.0.0.1:4222',
};

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('operations settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-ops-config-'));
    writeFileSync(join(dir, 'cert.pem'), 'cert');
    writeFileSync(join(dir, 'key.pem'), 'key');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to no connection cap, a 30 s drain window and a deadline 10 s longer', () => {
    const config = loadConfig('connection', SPLIT_ENV);
    expect(config).toMatchObject({
      maxConnections: 0,
      drainWindowMs: 30_000,
      shutdownTimeoutMs: 40_000,
      broadcastPollMs: 30_000,
      adminToken: undefined,
      tls: undefined,
      build: { commit: undefined, build: undefined },
    });
  });

  it('derives the deadline from a drain window set alone', () => {
    const config = loadConfig('connection', { ...SPLIT_ENV, HERALD_DRAIN_WINDOW_MS: '5000' });
    expect(config.drainWindowMs).toBe(5000);
    expect(config.shutdownTimeoutMs).toBe(15_000);
  });

  it('drains over half of a short deadline set alone', () => {
    const config = loadConfig('connection', { ...SPLIT_ENV, HERALD_SHUTDOWN_TIMEOUT_MS: '2000' });
    expect(config.drainWindowMs).toBe(1000);
    expect(config.shutdownTimeoutMs).toBe(2000);
  });

  it('accepts a drain window of 0, which closes every socket at once', () => {
    const config = loadConfig('connection', { ...SPLIT_ENV, HERALD_DRAIN_WINDOW_MS: '0' });
    expect(config.drainWindowMs).toBe(0);
    expect(config.shutdownTimeoutMs).toBe(10_000);
  });

  it('refuses a deadline that does not exceed the drain window', () => {
    const error = configError(() =>
      loadConfig('connection', {
        ...SPLIT_ENV,
        HERALD_DRAIN_WINDOW_MS: '30000',
        HERALD_SHUTDOWN_TIMEOUT_MS: '30000',
      }),
    );
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(/HERALD_SHUTDOWN_TIMEOUT_MS must exceed HERALD_DRAIN_WINDOW_MS/);
  });

  it('reads the connection cap and the broadcast poll interval', () => {
    const config = loadConfig('connection', {
      ...SPLIT_ENV,
      HERALD_MAX_CONNECTIONS: '50000',
      HERALD_BROADCAST_POLL_MS: '5000',
    });
    expect(config.maxConnections).toBe(50_000);
    expect(config.broadcastPollMs).toBe(5000);
  });

  it('refuses a negative cap and a zero poll interval', () => {
    const error = configError(() =>
      loadConfig('connection', {
        ...SPLIT_ENV,
        HERALD_MAX_CONNECTIONS: '-1',
        HERALD_BROADCAST_POLL_MS: '0',
      }),
    );
    expect(error.problems.map((p) => p.split(' ')[0])).toEqual([
      'HERALD_MAX_CONNECTIONS',
      'HERALD_BROADCAST_POLL_MS',
    ]);
  });

  it('takes both TLS files when both are readable', () => {
    const config = loadConfig('endpoint', {
      ...SPLIT_ENV,
      HERALD_TLS_CERT_FILE: join(dir, 'cert.pem'),
      HERALD_TLS_KEY_FILE: join(dir, 'key.pem'),
    });
    expect(config.tls).toEqual({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') });
  });

  it('refuses one TLS file without the other', () => {
    const error = configError(() =>
      loadConfig('connection', { ...SPLIT_ENV, HERALD_TLS_CERT_FILE: join(dir, 'cert.pem') }),
    );
    expect(error.message).toMatch(/HERALD_TLS_KEY_FILE is required when the other TLS file is set/);
  });

  it('refuses TLS files the process cannot read', () => {
    const unreadable = join(dir, 'unreadable.pem');
    writeFileSync(unreadable, 'key');
    chmodSync(unreadable, 0o000);
    const error = configError(() =>
      loadConfig('connection', {
        ...SPLIT_ENV,
        HERALD_TLS_CERT_FILE: join(dir, 'missing.pem'),
        HERALD_TLS_KEY_FILE: unreadable,
      }),
    );
    expect(error.message).toMatch(
      /HERALD_TLS_CERT_FILE names a file this process cannot read \(ENOENT/,
    );
    // root reads anything; elsewhere the mode makes the key unreadable too.
    if (process.getuid?.() !== 0) expect(error.problems).toHaveLength(2);
  });

  it('refuses a short admin token without echoing it', () => {
    const error = configError(() =>
      loadConfig('endpoint', { ...SPLIT_ENV, HERALD_ADMIN_TOKEN: 'short-secret' }),
    );
    expect(error.message).toMatch(/HERALD_ADMIN_TOKEN must be at least 16 characters/);
    expect(error.message).not.toContain('short-secret');
  });

  it('passes an admin token of 16 characters or more to the node', () => {
    const token = 'a'.repeat(16);
    expect(loadConfig('endpoint', { ...SPLIT_ENV, HERALD_ADMIN_TOKEN: token }).adminToken).toBe(
      token,
    );
  });

  it('requires an admin token for herald broadcast, and nothing else', () => {
    const error = configError(() => loadConfig('broadcast', {}));
    expect(error.problems).toHaveLength(1);
    expect(error.message).toMatch(/HERALD_ADMIN_TOKEN is required for `herald broadcast`/);
    const config = loadConfig('broadcast', {
      HERALD_ADMIN_TOKEN: 'b'.repeat(32),
      HERALD_HTTP_PORT: '9000',
    });
    expect(config).toMatchObject({ role: 'broadcast', publicOrigin: 'http://localhost:9000' });
  });

  it('takes /__version__ overrides from HERALD_COMMIT and HERALD_BUILD', () => {
    const config = loadConfig('endpoint', {
      ...SPLIT_ENV,
      HERALD_COMMIT: 'abc123',
      HERALD_BUILD: '42',
    });
    expect(config.build).toEqual({ commit: 'abc123', build: '42' });
  });
});

describe('the settings catalogue', () => {
  it('documents every variable with a description, roles and a default', () => {
    const docs = settingDocs();
    expect(docs.map((d) => d.name)).toEqual(Object.keys(settingsSchema.shape));
    for (const doc of docs) {
      expect(doc.description).not.toBe('');
      expect(doc.roles.length).toBeGreaterThan(0);
      expect(doc.defaultText).not.toBe('');
    }
  });

  it('lists for each command the variables it reads', () => {
    expect(settingsOf('tables').map((d) => d.name)).not.toContain('HERALD_CRYPTO_KEYS');
    expect(settingsOf('connection').map((d) => d.name)).toContain('HERALD_DRAIN_WINDOW_MS');
    expect(settingsOf('broadcast').map((d) => d.name)).toContain('HERALD_ADMIN_TOKEN');
  });
});
