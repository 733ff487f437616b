import { request } from 'node:http';
import { Counter } from 'prom-client';
import { createRegistry, startOpsServer, type OpsServer } from '../src';

interface Answer {
  status: number;
  contentType: string | undefined;
  body: string;
}

function get(port: number, path: string, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the ops server', () => {
  let server: OpsServer;
  let databaseUp = true;
  const registry = createRegistry();
  new Counter({
    name: 'herald_test_pushes_total',
    help: 'pushes in this test',
    registers: [registry],
  }).inc(3);

  beforeAll(async () => {
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      version: { version: '1.2.3', commit: 'abc123', build: '42' },
      checkTimeoutMs: 200,
      checks: {
        dynamodb: () =>
          databaseUp
            ? Promise.resolve()
            : Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8000')),
        nats: () => Promise.resolve(),
      },
    });
  });
  afterAll(() => server.close());

  it('answers the load-balancer heartbeat with 200 {}', async () => {
    expect(await get(server.port, '/__lbheartbeat__')).toMatchObject({ status: 200, body: '{}' });
  });

  it('answers the heartbeat with 200 and every check ok when dependencies answer', async () => {
    const answer = await get(server.port, '/__heartbeat__');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      status: 'ok',
      checks: { dynamodb: 'ok', nats: 'ok' },
    });
  });

  it('answers the heartbeat with 503 naming the failing dependency and its error', async () => {
    databaseUp = false;
    try {
      const answer = await get(server.port, '/__heartbeat__');
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({
        status: 'error',
        checks: { dynamodb: 'error', nats: 'ok' },
        errors: { dynamodb: 'connect ECONNREFUSED 127.0.0.1:8000' },
      });
    } finally {
      databaseUp = true;
    }
  });

  it('counts a check that does not answer in time as failed', async () => {
    const slow = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      version: { version: '1', commit: 'c', build: 'b' },
      checkTimeoutMs: 50,
      checks: { nats: () => new Promise<void>(() => undefined) },
    });
    try {
      const answer = await get(slow.port, '/__heartbeat__');
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ errors: { nats: 'no answer within 50 ms' } });
    } finally {
      await slow.close();
    }
  });

  it('answers the heartbeat with 503 draining once not ready, and lbheartbeat still 200', async () => {
    server.setReady(false);
    try {
      const answer = await get(server.port, '/__heartbeat__');
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({ status: 'draining' });
      expect((await get(server.port, '/__lbheartbeat__')).status).toBe(200);
    } finally {
      server.setReady(true);
    }
  });

  it('serves the version object', async () => {
    const answer = await get(server.port, '/__version__');
    expect(JSON.parse(answer.body)).toEqual({ version: '1.2.3', commit: 'abc123', build: '42' });
  });

  it('serves Prometheus text with prefixed process metrics and node metrics', async () => {
    const answer = await get(server.port, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/plain');
    expect(answer.body).toContain('herald_test_pushes_total 3');
    expect(answer.body).toContain('herald_process_cpu_seconds_total');
  });

  it('answers 404 to anything else and 405 to another method on a known path', async () => {
    expect((await get(server.port, '/')).status).toBe(404);
    expect((await get(server.port, '/metrics/extra')).status).toBe(404);
    expect((await get(server.port, '/__heartbeat__', 'POST')).status).toBe(405);
  });
});
