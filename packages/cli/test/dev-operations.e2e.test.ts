import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HeraldProcess,
  UserAgent,
  eventually,
  freePorts,
  generateVapidKeys,
  heraldBinary,
  httpRequest,
  printedLines,
  runHerald,
  sendPush,
} from '@herald/testkit';
import { sampleSum } from './prometheus-text';

const vapid = { subject: 'mailto:e2e@example.com', ...generateVapidKeys() };
const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

/** `herald dev` as an operator sees it: /metrics, /__version__ and the broadcast admin CLI. */
describe('herald dev operations', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let herald: HeraldProcess;
  let wsUrl: string;
  let opsUrl: string;
  let endpointOrigin: string;
  const agents: UserAgent[] = [];

  async function connect(): Promise<UserAgent> {
    const agent = await UserAgent.connect(wsUrl);
    agents.push(agent);
    await agent.hello();
    return agent;
  }

  async function scrape(): Promise<string> {
    const reply = await httpRequest(`${opsUrl}/metrics`, { method: 'GET' });
    expect(reply.status).toBe(200);
    return reply.body;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'herald-dev-ops-'));
    const [wsPort, httpPort, opsPort] = await freePorts(3);
    env = {
      HERALD_DATA_DIR: dataDir,
      HERALD_WS_PORT: String(wsPort),
      HERALD_HTTP_PORT: String(httpPort),
      HERALD_OPS_PORT: String(opsPort),
      HERALD_ADMIN_TOKEN: ADMIN_TOKEN,
      HERALD_LOG_LEVEL: 'warn',
    };
    wsUrl = `ws://127.0.0.1:${wsPort}/`;
    opsUrl = `http://127.0.0.1:${opsPort}`;
    endpointOrigin = `http://127.0.0.1:${httpPort}`;
    herald = new HeraldProcess('dev', ['dev'], env);
    await herald.start();
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.close()));
  });

  afterAll(async () => {
    const exit = await herald.stop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(exit?.code).toBe(0);
  });

  it('counts an end-to-end push in /metrics: accepted, delivered, acked, and the DynamoDB calls it made', async () => {
    const before = await scrape();
    const agent = await connect();
    const registration = await agent.register(undefined, vapid.publicKey);
    expect((await sendPush(registration.subscription, 'counted', { vapid, ttl: 60 })).status).toBe(
      201,
    );
    const notification = await agent.nextNotification();
    agent.ack(notification);

    const moved = (text: string, name: string): number =>
      (sampleSum(text, name) ?? 0) - (sampleSum(before, name) ?? 0);
    await eventually(
      async () => {
        const after = await scrape();
        expect(moved(after, 'herald_pushes_total')).toBe(1);
        expect(moved(after, 'herald_deliveries_total')).toBe(1);
        expect(moved(after, 'herald_acks_total')).toBe(1);
        // GetItem router, PutItem message, the claim and register UpdateItems, the ack's DeleteItem…
        expect(moved(after, 'herald_dynamodb_call_duration_seconds_count')).toBeGreaterThanOrEqual(
          4,
        );
        return true;
      },
      { what: 'the push counters to move' },
    );
    const text = await scrape();
    expect(sampleSum(text, 'herald_connections_open')).toBeGreaterThanOrEqual(1);
    // Process metrics carry the same prefix.
    expect(sampleSum(text, 'herald_process_cpu_seconds_total')).toBeGreaterThan(0);
    // Never a uaid, token or URL in a label.
    expect(text).not.toContain(agent.uaid ?? '-');
    expect(text).not.toContain('/wpush/');
  });

  it('serves /__version__ from the version.json the build wrote', async () => {
    const recorded = JSON.parse(
      readFileSync(join(heraldBinary(), '..', 'version.json'), 'utf8'),
    ) as Record<string, string>;
    const reply = await httpRequest(`${opsUrl}/__version__`, { method: 'GET' });
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({
      version: recorded.version,
      commit: recorded.commit,
      build: recorded.build,
    });
    expect(recorded.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('sends a broadcast frame to a subscribed user agent after `herald broadcast set`', async () => {
    const id = 'remote-settings/monitor_changes';
    const cli = { HERALD_ADMIN_TOKEN: ADMIN_TOKEN };
    const first = await runHerald(['broadcast', 'set', id, '"v1"', '--url', endpointOrigin], cli);
    expect(first.code).toBe(0);
    expect(printedLines(first.stdout)).toEqual([`${id} "v1"`]);

    // The client knows an older version: the reply brings it up to date, and subscribes it.
    const agent = await connect();
    agent.sendRaw(
      JSON.stringify({ messageType: 'broadcast_subscribe', broadcasts: { [id]: 'v0' } }),
    );
    expect((await agent.nextReply('broadcast'))['broadcasts']).toEqual({ [id]: '"v1"' });

    const second = await runHerald(['broadcast', 'set', id, '"v2"', '--url', endpointOrigin], cli);
    expect(second.code).toBe(0);
    expect((await agent.nextReply('broadcast'))['broadcasts']).toEqual({ [id]: '"v2"' });

    const listed = await runHerald(['broadcast', 'list', '--url', endpointOrigin, '--json'], cli);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({ broadcasts: { [id]: '"v2"' } });
  });

  it('reads the endpoint origin for `herald broadcast` from HERALD_HTTP_PORT', async () => {
    const listed = await runHerald(['broadcast', 'list'], {
      HERALD_ADMIN_TOKEN: ADMIN_TOKEN,
      HERALD_HTTP_PORT: env.HERALD_HTTP_PORT ?? '',
    });
    expect(listed.code).toBe(0);
  });

  it('fails `herald broadcast` with a wrong token, naming the problem and not the token', async () => {
    const wrong = 'not-the-admin-token-at-all';
    const result = await runHerald(['broadcast', 'list', '--url', endpointOrigin], {
      HERALD_ADMIN_TOKEN: wrong,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused HERALD_ADMIN_TOKEN (401)');
    expect(result.stderr).not.toContain(wrong);
  });

  it('refuses `herald broadcast` without HERALD_ADMIN_TOKEN', async () => {
    const result = await runHerald(['broadcast', 'list', '--url', endpointOrigin]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('HERALD_ADMIN_TOKEN is required');
  });
});
