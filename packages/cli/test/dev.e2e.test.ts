import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HeraldProcess,
  UserAgent,
  eventually,
  freePorts,
  generateVapidKeys,
  httpRequest,
  printedLines,
  runHerald,
  sendPush,
  type Registration,
} from '@herald/testkit';

const vapidPair = generateVapidKeys();
const vapid = { subject: 'mailto:e2e@example.com', ...vapidPair };

describe('herald dev', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let herald: HeraldProcess;
  let wsUrl: string;
  const agents: UserAgent[] = [];

  async function connect(uaid?: string): Promise<UserAgent> {
    const agent = await UserAgent.connect(wsUrl);
    agents.push(agent);
    await agent.hello(uaid);
    return agent;
  }

  async function startHerald(): Promise<void> {
    const started = Date.now();
    await herald.start(15_000);
    const readyMs = Date.now() - started;
    expect(readyMs).toBeLessThan(15_000);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'herald-dev-e2e-'));
    const [wsPort, httpPort, opsPort] = await freePorts(3);
    env = {
      HERALD_DATA_DIR: dataDir,
      HERALD_WS_PORT: String(wsPort),
      HERALD_HTTP_PORT: String(httpPort),
      HERALD_OPS_PORT: String(opsPort),
      HERALD_LOG_LEVEL: 'warn',
    };
    wsUrl = `ws://127.0.0.1:${wsPort}/`;
    herald = new HeraldProcess('dev', ['dev'], env);
    await startHerald();
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
  });

  afterAll(async () => {
    await herald.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the WebSocket URL and the endpoint URL before ready', () => {
    const output = herald.output();
    expect(output).toContain(`WebSocket: ws://localhost:${env.HERALD_WS_PORT}/`);
    expect(output).toContain(`Endpoint:  http://localhost:${env.HERALD_HTTP_PORT}`);
  });

  it('answers its heartbeat with every dependency ok', async () => {
    const reply = await httpRequest(`http://127.0.0.1:${env.HERALD_OPS_PORT}/__heartbeat__`, {
      method: 'GET',
    });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ status: 'ok', checks: { dynamodb: 'ok', bus: 'ok' } });
  });

  it('delivers an aes128gcm push with VAPID to a subscription made with an applicationServerKey', async () => {
    const agent = await connect();
    const registration = await agent.register(undefined, vapid.publicKey);
    expect(registration.status).toBe(200);
    expect(registration.endpoint).toMatch(
      new RegExp(`^http://localhost:${env.HERALD_HTTP_PORT}/wpush/v2/`),
    );

    const reply = await sendPush(registration.subscription, 'hello aes128gcm', { vapid, ttl: 60 });
    expect(reply.status).toBe(201);
    const notification = await agent.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('hello aes128gcm');
    agent.ack(notification);
  });

  it('delivers an aesgcm push with VAPID to a subscription made without a key', async () => {
    const agent = await connect();
    const registration = await agent.register();
    expect(registration.endpoint).toContain('/wpush/v1/');

    const reply = await sendPush(registration.subscription, 'hello aesgcm', {
      vapid,
      ttl: 60,
      contentEncoding: 'aesgcm',
    });
    expect(reply.status).toBe(201);
    const notification = await agent.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('hello aesgcm');
    agent.ack(notification);
  });

  it('stores pushes for an offline user agent and drains them in order at its next hello', async () => {
    const { agent, registration } = await subscribeThenDisconnect();
    for (const text of ['one', 'two', 'three']) {
      expect((await sendPush(registration.subscription, text, { vapid, ttl: 300 })).status).toBe(
        201,
      );
    }
    const again = await connect(agent.uaid);
    const received: string[] = [];
    for (let i = 0; i < 3; i++) {
      const notification = await again.nextNotification();
      received.push(agent.decrypt(notification).toString());
      again.ack(notification);
    }
    expect(received).toEqual(['one', 'two', 'three']);
  });

  it('keeps only the newest of several offline pushes with the same topic', async () => {
    const { agent, registration } = await subscribeThenDisconnect();
    await sendPush(registration.subscription, 'old news', { vapid, ttl: 300, topic: 'news' });
    await sendPush(registration.subscription, 'latest news', { vapid, ttl: 300, topic: 'news' });

    const again = await connect(agent.uaid);
    const notification = await again.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('latest news');
    again.ack(notification);
    await again.ping();
    expect(again.notifications).toHaveLength(0);
  });

  it('drops an offline push whose TTL passed before the user agent came back', async () => {
    const { agent, registration } = await subscribeThenDisconnect();
    const sentAtMs = Date.now();
    expect(
      (await sendPush(registration.subscription, 'short-lived', { vapid, ttl: 1 })).status,
    ).toBe(201);
    expect(
      (await sendPush(registration.subscription, 'long-lived', { vapid, ttl: 300 })).status,
    ).toBe(201);
    // Reconnect only once the first message's TTL has passed.
    await eventually(() => Date.now() > sentAtMs + 1500, {
      timeoutMs: 5000,
      what: 'the 1 s TTL to pass',
    });

    const again = await connect(agent.uaid);
    const notification = await again.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('long-lived');
    again.ack(notification);
  });

  it('cancels a stored push with DELETE on its Location', async () => {
    const { agent, registration } = await subscribeThenDisconnect();
    const cancelled = await sendPush(registration.subscription, 'cancel me', { vapid, ttl: 300 });
    expect(cancelled.status).toBe(201);
    const location = String(cancelled.headers.location);
    expect(location).toMatch(/\/m\/[A-Za-z0-9_-]+$/);
    expect((await httpRequest(location, { method: 'DELETE' })).status).toBe(204);
    await sendPush(registration.subscription, 'kept', { vapid, ttl: 300 });

    const again = await connect(agent.uaid);
    const notification = await again.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('kept');
    again.ack(notification);
  });

  it('answers 410 to a push for an unregistered subscription', async () => {
    const agent = await connect();
    const registration = await agent.register();
    expect((await agent.unregister(registration.channelId))['status']).toBe(200);
    const reply = await sendPush(registration.subscription, 'too late', { vapid, ttl: 60 });
    expect(reply.status).toBe(410);
  });

  it('sends a push with `herald send` that the user agent decrypts', async () => {
    const agent = await connect();
    const registration = await agent.register();
    const result = await runHerald([
      'send',
      registration.endpoint,
      '--p256dh',
      registration.subscription.keys.p256dh,
      '--auth',
      registration.subscription.keys.auth,
      '--message',
      'from the cli',
      '--ttl',
      '60',
    ]);
    expect(result.code).toBe(0);
    const [status, location] = printedLines(result.stdout);
    expect(status).toBe('201 Created');
    expect(location).toMatch(/^Location: http:\/\/localhost:\d+\/m\//);
    const notification = await agent.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('from the cli');
    agent.ack(notification);
  });

  it('keeps subscriptions and stored messages across a restart with the same data dir', async () => {
    const { agent, registration } = await subscribeThenDisconnect();
    expect(
      (await sendPush(registration.subscription, 'before restart', { vapid, ttl: 300 })).status,
    ).toBe(201);

    const exit = await herald.stop();
    expect(exit?.code).toBe(0);
    await startHerald();

    const again = await connect(agent.uaid);
    const stored = await again.nextNotification();
    expect(agent.decrypt(stored).toString()).toBe('before restart');
    again.ack(stored);
    expect(
      (await sendPush(registration.subscription, 'after restart', { vapid, ttl: 300 })).status,
    ).toBe(201);
    const live = await again.nextNotification();
    expect(agent.decrypt(live).toString()).toBe('after restart');
    again.ack(live);
  });

  /** A registered user agent that has gone away; its first instance still holds the keys. */
  async function subscribeThenDisconnect(): Promise<{
    agent: UserAgent;
    registration: Registration;
  }> {
    const agent = await connect();
    const registration = await agent.register();
    await agent.close();
    return { agent, registration };
  }
});
