import { CachedCredentials, awsDefaultCredentials } from '../../src/wire/aws-credentials';
import type { AwsCredentials } from '../../src/wire/aws-credentials';

const MINUTE_MS = 60_000;

/** A loader that hands out numbered credentials expiring `lifetimeMs` after `now()`. */
function numberedLoader(now: () => number, lifetimeMs: number) {
  const loader = {
    loads: 0,
    fail: false,
    load: (): Promise<AwsCredentials> => {
      loader.loads++;
      if (loader.fail) return Promise.reject(new Error('metadata service down'));
      return Promise.resolve({
        accessKeyId: `KEY${loader.loads}`,
        secretAccessKey: 'secret',
        sessionToken: `token${loader.loads}`,
        expiresAtMs: now() + lifetimeMs,
      });
    },
  };
  return loader;
}

describe('CachedCredentials', () => {
  let nowMs: number;
  const now = () => nowMs;
  beforeEach(() => {
    nowMs = 1_800_000_000_000;
  });

  it('loads once for concurrent callers, then answers synchronously while fresh', async () => {
    const loader = numberedLoader(now, 60 * MINUTE_MS);
    const cache = new CachedCredentials(loader.load, now);

    const [a, b] = await Promise.all([cache.current(), cache.current()]);
    expect(a).toBe(b);
    nowMs += 50 * MINUTE_MS;
    expect(cache.current()).toMatchObject({ accessKeyId: 'KEY1' });
    expect(loader.loads).toBe(1);
  });

  it('keeps signing with the old pair while one background reload runs near expiry', async () => {
    const loader = numberedLoader(now, 60 * MINUTE_MS);
    const cache = new CachedCredentials(loader.load, now);
    await cache.current();

    nowMs += 57 * MINUTE_MS;
    expect(cache.current()).toMatchObject({ accessKeyId: 'KEY1' });
    expect(cache.current()).toMatchObject({ accessKeyId: 'KEY1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(loader.loads).toBe(2);
    expect(cache.current()).toMatchObject({ accessKeyId: 'KEY2' });
  });

  it('waits for new credentials once the old ones have expired, and retries a failed load', async () => {
    const loader = numberedLoader(now, 60 * MINUTE_MS);
    const cache = new CachedCredentials(loader.load, now);
    await cache.current();

    nowMs += 61 * MINUTE_MS;
    loader.fail = true;
    await expect(cache.current()).rejects.toThrow('metadata service down');
    loader.fail = false;
    const next = cache.current();
    expect(next).toBeInstanceOf(Promise);
    await expect(next).resolves.toMatchObject({ accessKeyId: 'KEY3' });
  });

  it('never reloads fixed credentials', () => {
    const fixed = { accessKeyId: 'heraldlocal', secretAccessKey: 'heraldlocal' };
    expect(CachedCredentials.fixed(fixed).current()).toBe(fixed);
  });
});

describe('awsDefaultCredentials', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('resolves through the SDK provider chain, starting with the environment', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-environment';
    process.env.AWS_SESSION_TOKEN = 'token-from-environment';
    process.env.AWS_CREDENTIAL_EXPIRATION = '2030-01-01T00:00:00Z';

    await expect(awsDefaultCredentials()()).resolves.toEqual({
      accessKeyId: 'AKIAFROMENVIRONMENT',
      secretAccessKey: 'secret-from-environment',
      sessionToken: 'token-from-environment',
      expiresAtMs: Date.parse('2030-01-01T00:00:00Z'),
    });
  });
});
