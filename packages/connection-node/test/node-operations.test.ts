import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { UserAgent, eventually } from '@herald/testkit';
import type { CloseEvent } from '@herald/testkit';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { startMemoryNode } from './support/memory-node';

describe('the connection cap', () => {
  it('closes upgrades beyond maxConnections with 1013 "Try Again Later", counts them, and accepts again once below', async () => {
    const registry = new Registry();
    const node = await startMemoryNode({ registry, settings: { maxConnections: 2 } });
    const agents: UserAgent[] = [];
    try {
      agents.push(await UserAgent.connect(node.url));
      await agents[0]!.hello();
      agents.push(await UserAgent.connect(node.url));
      const refused = await UserAgent.connect(node.url);
      agents.push(refused);
      expect(await refused.closed).toEqual({ code: 1013, reason: 'Try Again Later' });
      expect(node.connectionCount()).toBe(2);
      expect(await registry.metrics()).toContain('herald_connection_cap_rejections_total 1');

      await agents[1]!.close();
      await eventually(() => node.connectionCount() === 1, { what: 'a freed slot' });
      const admitted = await UserAgent.connect(node.url);
      agents.push(admitted);
      expect((await admitted.hello())['status']).toBe(200);
      await agents[0]!.ping();
    } finally {
      await Promise.all(agents.map((agent) => agent.terminate()));
      await node.close();
    }
  });
});

describe('draining a connection node', () => {
  it('stops accepting at once, then closes sockets with 1001 in batches spread over drainMs', async () => {
    let drainingAtMs: number | undefined;
    const node = await startMemoryNode({ onDraining: () => (drainingAtMs = Date.now()) });
    const agents = await Promise.all(Array.from({ length: 20 }, () => UserAgent.connect(node.url)));
    await agents[0]!.hello();
    const closedAtMs: number[] = [];
    const closes = agents.map((agent) =>
      agent.closed.then((event: CloseEvent) => {
        closedAtMs.push(Date.now());
        return event;
      }),
    );

    const startedMs = Date.now();
    const closing = node.close({ drainMs: 1000 });
    expect(drainingAtMs).toBeDefined();
    await expect(UserAgent.connect(node.url)).rejects.toThrow();
    await closing;
    const elapsedMs = Date.now() - startedMs;

    for (const event of await Promise.all(closes)) expect(event.code).toBe(1001);
    expect(node.connectionCount()).toBe(0);
    // Ten batches of two: the first at once, the last after nine tenths of the window.
    expect(elapsedMs).toBeGreaterThanOrEqual(850);
    expect(elapsedMs).toBeLessThan(3000);
    closedAtMs.sort((a, b) => a - b);
    expect(closedAtMs[1]! - startedMs).toBeLessThan(300);
    expect(closedAtMs[19]! - closedAtMs[0]!).toBeGreaterThanOrEqual(800);
  });

  it('resolves at once when no socket is open', async () => {
    const node = await startMemoryNode();
    const startedMs = Date.now();
    await node.close({ drainMs: 30_000 });
    expect(Date.now() - startedMs).toBeLessThan(1000);
  });
});

describe('TLS', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-tls-'));
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('speaks the protocol over wss:// with the given certificate and key', async () => {
    const node = await startMemoryNode({
      tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') },
    });
    const socket = new WebSocket(node.url, ['push-notification'], { rejectUnauthorized: false });
    try {
      const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
        socket.once('message', (data: Buffer) =>
          resolve(JSON.parse(data.toString()) as Record<string, unknown>),
        );
        socket.once('error', reject);
      });
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ messageType: 'hello', broadcasts: {}, use_webpush: true }));
      expect(await reply).toMatchObject({ messageType: 'hello', status: 200 });
      expect(node.url.startsWith('wss://')).toBe(true);
    } finally {
      socket.terminate();
      await node.close();
    }
  });

  it('refuses to start when a PEM file cannot be read, naming it', async () => {
    const missing = join(dir, 'missing.pem');
    await expect(
      startMemoryNode({ tls: { certFile: missing, keyFile: join(dir, 'key.pem') } }),
    ).rejects.toThrow(missing);
  });
});
