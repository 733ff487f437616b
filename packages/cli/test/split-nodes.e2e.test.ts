import {
  HeraldProcess,
  UserAgent,
  freePorts,
  generateVapidKeys,
  httpRequest,
  printedLines,
  runHerald,
  sendPush,
  startNatsServer,
  type NatsServerFixture,
} from '@herald/testkit';
import { sampleSum } from './prometheus-text';

const vapid = { subject: 'mailto:e2e@example.com', ...generateVapidKeys() };

/**
 * The production shape on one machine: `herald local-dynamodb`, `herald tables create`,
 * two connection nodes and an endpoint node as separate processes talking over a real
 * nats-server.
 */
describe('split nodes over NATS and a standalone DynamoDB-compatible server', () => {
  let nats: NatsServerFixture;
  let database: HeraldProcess;
  const nodes: HeraldProcess[] = [];
  const agents: UserAgent[] = [];
  let common: Record<string, string>;
  let wsUrls: string[];
  let opsPorts: number[];

  beforeAll(async () => {
    nats = await startNatsServer();
    const [dynamoPort, httpPort, wsA, wsB, opsA, opsB, opsEndpoint] = await freePorts(7);
    database = new HeraldProcess(
      'local-dynamodb',
      ['local-dynamodb', '--port', String(dynamoPort)],
      {},
    );
    await database.start();

    const keys = await runHerald(['keys', 'generate']);
    common = {
      HERALD_CRYPTO_KEYS: printedLines(keys.stdout).at(-1) ?? '',
      HERALD_NATS_URL: nats.url,
      HERALD_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
      HERALD_HTTP_PORT: String(httpPort),
      HERALD_HOST: '127.0.0.1',
      HERALD_LOG_LEVEL: 'warn',
    };
    const created = await runHerald(['tables', 'create'], common);
    expect(created.code).toBe(0);
    expect(printedLines(created.stdout)).toEqual([
      'created herald_router',
      'created herald_message',
    ]);

    wsUrls = [`ws://127.0.0.1:${wsA}/`, `ws://127.0.0.1:${wsB}/`];
    opsPorts = [opsA!, opsB!, opsEndpoint!];
    nodes.push(
      new HeraldProcess('node-a', ['connection'], {
        ...common,
        HERALD_WS_PORT: String(wsA),
        HERALD_OPS_PORT: String(opsA),
        HERALD_NODE_ID: 'node-a',
      }),
      new HeraldProcess('node-b', ['connection'], {
        ...common,
        HERALD_WS_PORT: String(wsB),
        HERALD_OPS_PORT: String(opsB),
        HERALD_NODE_ID: 'node-b',
      }),
      new HeraldProcess('endpoint', ['endpoint'], {
        ...common,
        HERALD_OPS_PORT: String(opsEndpoint),
      }),
    );
    await Promise.all(nodes.map((node) => node.start()));
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
  });

  afterAll(async () => {
    const exits = await Promise.all(nodes.map((node) => node.stop()));
    await database.stop();
    await nats.stop();
    expect(exits.map((exit) => exit?.code)).toEqual([0, 0, 0]);
  });

  async function connect(node: 0 | 1, uaid?: string): Promise<UserAgent> {
    const agent = await UserAgent.connect(wsUrls[node]!);
    agents.push(agent);
    await agent.hello(uaid);
    return agent;
  }

  it('reports itself idempotent on a second `tables create`', async () => {
    const again = await runHerald(['tables', 'create'], common);
    expect(again.code).toBe(0);
    expect(printedLines(again.stdout)).toEqual([
      'existing herald_router',
      'existing herald_message',
    ]);
  });

  it('answers every node heartbeat with DynamoDB and NATS ok', async () => {
    for (const port of opsPorts) {
      const reply = await httpRequest(`http://127.0.0.1:${port}/__heartbeat__`, { method: 'GET' });
      expect(reply.status).toBe(200);
      expect(reply.json()).toEqual({ status: 'ok', checks: { dynamodb: 'ok', nats: 'ok' } });
    }
  });

  it('routes a push from the endpoint node to the connection node holding the user agent', async () => {
    const agent = await connect(0);
    const registration = await agent.register(undefined, vapid.publicKey);
    expect(
      (await sendPush(registration.subscription, 'over nats', { vapid, ttl: 60 })).status,
    ).toBe(201);
    const notification = await agent.nextNotification();
    expect(agent.decrypt(notification).toString()).toBe('over nats');
    agent.ack(notification);
  });

  it('follows a user agent that reconnects to the other node, closing its old socket', async () => {
    const first = await connect(0);
    const registration = await first.register();
    const second = await connect(1, first.uaid);
    await first.closed;

    expect(
      (await sendPush(registration.subscription, 'on node b', { vapid, ttl: 60 })).status,
    ).toBe(201);
    const notification = await second.nextNotification();
    expect(first.decrypt(notification).toString()).toBe('on node b');
    second.ack(notification);
  });

  it('exposes the NATS bus metrics on every node, with the routed pushes counted', async () => {
    const scrape = async (port: number | undefined): Promise<string> =>
      (await httpRequest(`http://127.0.0.1:${port}/metrics`, { method: 'GET' })).body;
    const [nodeA, nodeB, endpoint] = await Promise.all(opsPorts.map(scrape));

    // The pushes above went out from the endpoint as `deliver` commands.
    const delivers = /^herald_nats_messages_published_total\{type="deliver",result="ok"\} (\d+)$/m;
    expect(Number(delivers.exec(endpoint!)?.[1])).toBeGreaterThanOrEqual(2);
    expect(sampleSum(nodeA!, 'herald_nats_messages_received_total')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(nodeB!, 'herald_nats_messages_received_total')).toBeGreaterThanOrEqual(1);
    for (const text of [nodeA!, nodeB!, endpoint!]) {
      expect(text).toMatch(/^herald_nats_connection_state\{state="connected"\} 1$/m);
      // Opening the bus confirmed each subscription with a timed round trip.
      expect(sampleSum(text, 'herald_nats_round_trip_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(text).not.toMatch(/node-a|node-b|herald\.node/);
    }
  });
});
