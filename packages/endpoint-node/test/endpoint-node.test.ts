import { Agent, request } from 'node:http';
import {
  CryptoKeys,
  InProcessBus,
  MemoryMessageStore,
  MemoryRouterStore,
  endpointUrl,
  makeEndpointToken,
  newChannelId,
  newUaid,
  parseNodeId,
  systemClock,
  type Notification,
} from '@herald/core';
import { httpRequest, postRaw } from '@herald/testkit';
import { createEndpointNode, type EndpointNode } from '../src';
import { recordingLogger } from './endpoint-fixture';

/**
 * The listening node: the lifecycle around the app. Storage here is in memory because
 * what is under test is the server (listen, close, in-flight requests), not the stores.
 */
describe('an endpoint node', () => {
  const keys = CryptoKeys.parse(CryptoKeys.generateKey());
  const nodeId = parseNodeId('connection-node-1')!;
  const routerStore = new MemoryRouterStore();
  const bus = new InProcessBus();
  let releaseSave: () => void = () => undefined;
  let saveStarted: Promise<void> = Promise.resolve();
  let gateSaves = false;

  /** A message store whose saves wait for `releaseSave()` while `gateSaves` is set. */
  const memory = new MemoryMessageStore();
  const messageStore = Object.assign(Object.create(memory) as MemoryMessageStore, {
    async save(n: Notification): Promise<void> {
      if (gateSaves) {
        await new Promise<void>((release) => {
          releaseSave = release;
          signalSaveStarted();
        });
      }
      return memory.save(n);
    },
  });
  let signalSaveStarted: () => void = () => undefined;

  function options(port = 0) {
    return {
      port,
      host: '127.0.0.1',
      publicOrigin: 'http://push.example.com',
      keys,
      routerStore,
      messageStore,
      bus,
      clock: systemClock,
      log: recordingLogger(),
    };
  }

  async function endpointOn(node: EndpointNode): Promise<string> {
    const uaid = newUaid();
    const channelId = newChannelId();
    await routerStore.addChannel(uaid, channelId, { nodeId, connectedAtMs: Date.now() });
    return endpointUrl(
      `http://127.0.0.1:${node.port}`,
      makeEndpointToken(keys, { uaid, channelId }),
    );
  }

  afterAll(async () => {
    await bus.close();
  });

  it('listens on the port it reports and serves pushes there', async () => {
    const node = await createEndpointNode(options());
    try {
      expect(node.port).toBeGreaterThan(0);
      const reply = await postRaw(await endpointOn(node), { headers: { TTL: '60' } });
      expect(reply.status).toBe(201);
      expect(reply.headers.location).toMatch(/^http:\/\/push\.example\.com\/m\//);
    } finally {
      await node.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const node = await createEndpointNode(options());
    try {
      await expect(createEndpointNode(options(node.port))).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await node.close();
    }
  });

  it('finishes a push in flight when closed, and takes no new connections meanwhile', async () => {
    const node = await createEndpointNode(options());
    const endpoint = await endpointOn(node);
    saveStarted = new Promise<void>((resolve) => (signalSaveStarted = resolve));
    gateSaves = true;
    const inFlight = postRaw(endpoint, { headers: { TTL: '60' } });
    await saveStarted;

    const closed = node.close();
    await expect(
      httpRequest(`http://127.0.0.1:${node.port}/__lbheartbeat__`, { method: 'GET' }),
    ).rejects.toThrow(/ECONNREFUSED/);
    gateSaves = false;
    releaseSave();
    const reply = await inFlight;
    expect(reply.status).toBe(201);
    await closed;
  });

  it('cuts a request still in flight at the close deadline, and resolves', async () => {
    const node = await createEndpointNode(options());
    const endpoint = await endpointOn(node);
    saveStarted = new Promise<void>((resolve) => (signalSaveStarted = resolve));
    gateSaves = true;
    const inFlight = postRaw(endpoint, { headers: { TTL: '60' } });
    await saveStarted;
    try {
      const startedMs = Date.now();
      await node.close({ timeoutMs: 200 });
      expect(Date.now() - startedMs).toBeGreaterThanOrEqual(150);
      await expect(inFlight).rejects.toThrow(/socket hang up|ECONNRESET/);
    } finally {
      gateSaves = false;
      releaseSave();
    }
  });

  it('closes promptly with an idle keep-alive connection open', async () => {
    const node = await createEndpointNode(options());
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`http://127.0.0.1:${node.port}/__lbheartbeat__`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(200);
      const startedMs = Date.now();
      await node.close({ timeoutMs: 20_000 });
      expect(Date.now() - startedMs).toBeLessThan(5_000);
    } finally {
      agent.destroy();
    }
  });

  it('can be closed twice', async () => {
    const node = await createEndpointNode(options());
    await Promise.all([node.close(), node.close()]);
    await node.close();
  });
});
