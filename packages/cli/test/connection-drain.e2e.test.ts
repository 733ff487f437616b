import {
  HeraldProcess,
  UserAgent,
  freePorts,
  httpRequest,
  printedLines,
  runHerald,
  startNatsServer,
  type CloseEvent,
  type NatsServerFixture,
} from '@herald/testkit';

const DRAIN_WINDOW_MS = 2_000;
const SOCKETS = 30;

/**
 * SIGTERM on a connection node of a split deployment (real nats-server, `herald
 * local-dynamodb`) with user agents connected: the graceful drain operators rely on for
 * rolling upgrades.
 */
describe('herald connection on SIGTERM', () => {
  let nats: NatsServerFixture;
  let database: HeraldProcess;
  let node: HeraldProcess;
  let opsUrl: string;
  let agents: UserAgent[];

  beforeAll(async () => {
    nats = await startNatsServer();
    const [dynamoPort, wsPort, opsPort] = await freePorts(3);
    database = new HeraldProcess(
      'local-dynamodb',
      ['local-dynamodb', '--port', String(dynamoPort)],
      {},
    );
    await database.start();
    const keys = await runHerald(['keys', 'generate']);
    const common = {
      HERALD_CRYPTO_KEYS: printedLines(keys.stdout).at(-1) ?? '',
      HERALD_NATS_URL: nats.url,
      HERALD_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoPort}`,
      HERALD_HOST: '127.0.0.1',
      HERALD_LOG_LEVEL: 'warn',
    };
    expect((await runHerald(['tables', 'create'], common)).code).toBe(0);

    opsUrl = `http://127.0.0.1:${opsPort}`;
    node = new HeraldProcess('connection', ['connection'], {
      ...common,
      HERALD_WS_PORT: String(wsPort),
      HERALD_OPS_PORT: String(opsPort),
      HERALD_DRAIN_WINDOW_MS: String(DRAIN_WINDOW_MS),
    });
    await node.start();
    agents = await Promise.all(
      Array.from({ length: SOCKETS }, async () => {
        const agent = await UserAgent.connect(`ws://127.0.0.1:${wsPort}/`);
        await agent.hello();
        return agent;
      }),
    );
  });

  afterAll(async () => {
    await Promise.all((agents ?? []).map((agent) => agent.terminate()));
    await node?.stop();
    await database?.stop();
    await nats?.stop();
  });

  it('fails readiness, closes every socket with 1001 over the drain window, and exits 0 before the deadline', async () => {
    const heartbeat = await httpRequest(`${opsUrl}/__heartbeat__`, { method: 'GET' });
    expect(heartbeat.status).toBe(200);

    const signalledAt = Date.now();
    // SIGKILL only well past the node's own deadline (drain window + 10 s): its exit is measured.
    const exited = node.stop({ graceMs: DRAIN_WINDOW_MS + 20_000 });
    const closes = agents.map((agent) =>
      agent.closed.then((event): CloseEvent & { atMs: number } => ({
        ...event,
        atMs: Date.now() - signalledAt,
      })),
    );

    // Sockets close in batches, so once the first has closed the node is mid-drain.
    await Promise.race(closes);
    const draining = await httpRequest(`${opsUrl}/__heartbeat__`, { method: 'GET' });
    expect(draining.status).toBe(503);
    expect(draining.json()).toEqual({ status: 'draining' });
    const alive = await httpRequest(`${opsUrl}/__lbheartbeat__`, { method: 'GET' });
    expect(alive.status).toBe(200);

    const events = await Promise.all(closes);
    expect(new Set(events.map((event) => event.code))).toEqual(new Set([1001]));
    const times = events.map((event) => event.atMs).sort((a, b) => a - b);
    // Spread out, not all at once, and all within the window (plus scheduling slack).
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(DRAIN_WINDOW_MS / 4);
    expect(times.at(-1)).toBeLessThan(DRAIN_WINDOW_MS + 1_000);

    const exit = await exited;
    const exitedAfterMs = Date.now() - signalledAt;
    expect(exit).toEqual({ code: 0, signal: null });
    // HERALD_SHUTDOWN_TIMEOUT_MS defaults to the drain window + 10 s.
    expect(exitedAfterMs).toBeLessThan(DRAIN_WINDOW_MS + 10_000);
    expect(node.output()).not.toMatch(/"level":50/);
  });
});
