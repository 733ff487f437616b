import { eventually, type UserAgent } from '@herald/testkit';
import { AgentPool, ClusterSender, DeliveryTally, HeraldCluster } from '../src';

const USER_AGENTS = 100;
const PUSHES_PER_USER_AGENT = 10;
/** Requests in flight at once across all subscriptions. */
const CONCURRENT_PUSHES = 16;
/** Start moving user agents once this many pushes were answered, then one every few. */
const FIRST_MOVE_AFTER = 200;
const PUSHES_BETWEEN_MOVES = 18;

type Subscription = Parameters<ClusterSender['send']>[0];

/**
 * One browser: a subscription and whichever connection it has now. Its consumer decrypts
 * and acks everything that arrives, on every connection it ever had.
 */
interface Browser {
  readonly index: number;
  agent: UserAgent;
  node: number;
  readonly subscription: Subscription;
  /** The previous push to this subscription: the next waits for its answer. */
  lastPush: Promise<void>;
  consumers: Promise<void>[];
}

/**
 * Issue 3's end-to-end proof: two connection nodes, two endpoint nodes, nats-server and
 * DynamoDB Local as separate processes; 100 user agents; 1,000 pushes through both
 * endpoint nodes while a third of the user agents move to the other connection node.
 */
describe('the split deployment under load', () => {
  let cluster: HeraldCluster;
  let sender: ClusterSender;
  let pool: AgentPool;

  beforeAll(async () => {
    cluster = await HeraldCluster.start({ connectionNodes: 2, endpointNodes: 2 });
    sender = new ClusterSender(cluster);
    pool = new AgentPool(cluster);
  }, 90_000);

  afterAll(async () => {
    await pool?.closeAll();
    await cluster?.stop();
  }, 60_000);

  it('delivers every accepted push, in order per subscription, while a third of the user agents move between nodes', async () => {
    const tally = new DeliveryTally();
    consumerFailures.length = 0;
    const browsers = await openBrowsers(tally);

    const moves = browsers
      .filter((browser) => browser.index % 3 === 1)
      .map(async (browser, k) => {
        await tally.whenSent(FIRST_MOVE_AFTER + k * PUSHES_BETWEEN_MOVES);
        await moveToOtherNode(browser, tally);
      });
    await Promise.all([sendAll(browsers, tally), ...moves]);

    await eventually(() => tally.missing().length === 0, {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: 'every accepted push delivered',
    }).catch((error: unknown) => {
      throw new Error(
        `still missing ${tally.missing().slice(0, 20).join(' ')}; ${JSON.stringify(tally.report())}\n${cluster.logs()}`,
        { cause: error },
      );
    });

    const report = tally.report();
    console.log(
      `pushes sent ${report.sent}, 201s ${report.accepted}, delivered ${report.delivered}, ` +
        `lost ${report.lost}, duplicates ${report.duplicates} (statuses ${JSON.stringify(report.statuses)})`,
    );
    expect(report.sent).toBe(USER_AGENTS * PUSHES_PER_USER_AGENT);
    expect(report.accepted).toBe(report.sent);
    expect(report.lost).toBe(0);
    expect(tally.mismatchedDuplicates()).toEqual([]);
    expect(tally.outOfOrder()).toEqual([]);
    expect(consumerFailures).toEqual([]);
  }, 180_000);

  /** 100 user agents, alternately on each connection node, one v2 subscription each. */
  async function openBrowsers(tally: DeliveryTally): Promise<Browser[]> {
    const browsers: Browser[] = [];
    await inBatches(USER_AGENTS, 20, async (index) => {
      const node = index % 2;
      const agent = await pool.open(node);
      const registration = await agent.register(undefined, sender.vapid.publicKey, 10_000);
      expect(registration.status).toBe(200);
      const browser: Browser = {
        index,
        agent,
        node,
        subscription: registration.subscription,
        lastPush: Promise.resolve(),
        consumers: [],
      };
      browser.consumers.push(consume(browser, agent, tally));
      browsers[index] = browser;
    });
    return browsers;
  }

  /**
   * Round after round, one push per subscription, at most {@link CONCURRENT_PUSHES} in
   * flight. Pushes to one subscription are sequential (each waits for the previous 201)
   * and alternate between the two endpoint nodes.
   */
  async function sendAll(browsers: Browser[], tally: DeliveryTally): Promise<void> {
    const tasks: { browser: Browser; sequence: number }[] = [];
    for (let sequence = 0; sequence < PUSHES_PER_USER_AGENT; sequence++) {
      for (const browser of browsers) tasks.push({ browser, sequence });
    }
    await inBatches(tasks.length, CONCURRENT_PUSHES, async (i) => {
      const { browser, sequence } = tasks[i]!;
      const previous = browser.lastPush;
      const push = previous.then(async () => {
        const payload = JSON.stringify({ browser: browser.index, sequence });
        const via = (browser.index + sequence) % 2;
        const reply = await sender.send(browser.subscription, payload, { via, ttlSeconds: 600 });
        tally.answered(browser.index, sequence, reply.status);
      });
      browser.lastPush = push;
      await push;
    });
  }

  /** Closes the browser's connection and says hello with the same uaid on the other node. */
  async function moveToOtherNode(browser: Browser, tally: DeliveryTally): Promise<void> {
    const previous = browser.agent;
    await previous.close();
    const node = 1 - browser.node;
    const agent = await pool.open(node, previous);
    browser.agent = agent;
    browser.node = node;
    browser.consumers.push(consume(browser, agent, tally));
  }
});

/** What went wrong inside a consumer (a payload that did not decrypt, a stray push). */
const consumerFailures: string[] = [];

/**
 * Decrypts and acks every notification one connection receives until it closes (what
 * arrived before the close is still taken from the buffer). Never rejects: failures are
 * collected in {@link consumerFailures} for the test to assert on.
 */
async function consume(browser: Browser, agent: UserAgent, tally: DeliveryTally): Promise<void> {
  for (;;) {
    let notification;
    try {
      notification = await agent.nextNotification(30_000);
    } catch {
      if (!agent.isOpen) return;
      continue; // Quiet for a while; keep listening until the connection closes.
    }
    try {
      const payload = JSON.parse(agent.decrypt(notification).toString('utf8')) as {
        browser: number;
        sequence: number;
      };
      if (payload.browser !== browser.index) {
        throw new Error(`got browser ${payload.browser}'s push`);
      }
      tally.received(browser.index, payload.sequence, notification.version);
      agent.ack(notification);
    } catch (error) {
      consumerFailures.push(`browser ${browser.index}: ${String(error)}`);
    }
  }
}

/** Runs `task(0..count-1)` with at most `concurrency` running at once. */
async function inBatches(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
