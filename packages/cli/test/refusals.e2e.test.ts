import { freePorts, printedLines, runHerald } from '@herald/testkit';

const KEY = 'S0f8l3tCDo4R4i-hNnD5-3D2pnG9qjUmSPEbNzMhgUA';

describe('split nodes refuse to start with a broken configuration', () => {
  it('lists both missing required variables for `herald connection` and exits 2', async () => {
    const result = await runHerald(['connection']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'HERALD_NATS_URL is required for `herald connection`: the NATS server(s) nodes use to reach each other, e.g. nats://127.0.0.1:4222',
    );
    expect(result.stderr).toContain('HERALD_CRYPTO_KEYS is required for `herald connection`');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('lists a bad public URL, a bad NATS URL and a missing key for `herald endpoint` at once', async () => {
    const result = await runHerald(['endpoint'], {
      HERALD_PUBLIC_URL: 'https://push.example.com/some/path',
      HERALD_NATS_URL: 'http://127.0.0.1:4222',
    });
    expect(result.code).toBe(2);
    const problems = printedLines(result.stderr).filter((line) => line.startsWith('  - '));
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('HERALD_PUBLIC_URL must have no path, query or fragment');
    expect(problems.join('\n')).toContain(
      'HERALD_NATS_URL must be nats://host:port or tls://host:port',
    );
    expect(problems.join('\n')).toContain('HERALD_CRYPTO_KEYS is required for `herald endpoint`');
  });

  it('exits 1 naming DynamoDB and NATS when neither answers', async () => {
    const [natsPort, dynamoPort] = await freePorts(2);
    const result = await runHerald(['connection'], {
      HERALD_CRYPTO_KEYS: KEY,
      HERALD_NATS_URL: `nats://127.0.0.1:${natsPort}`,
      HERALD_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
      HERALD_DEPENDENCY_TIMEOUT_MS: '2000',
      HERALD_LOG_LEVEL: 'error',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Cannot start `herald connection`: its dependencies did not answer within 2000 ms:',
    );
    expect(result.stderr).toContain(`  - DynamoDB (http://127.0.0.1:${dynamoPort}`);
    expect(result.stderr).toContain(`  - NATS (nats://127.0.0.1:${natsPort}) did not answer`);
  });
});
