import {
  eventually,
  httpRequest,
  type HttpReply,
  type ReceivedNotification,
  type UserAgent,
} from '@herald/testkit';
import { openMessageId } from '@herald/core';
import { AgentPool, ClusterSender, ClusterStorage, HeraldCluster } from '../src';

/** Firefox stops reconnecting only after 4774 (push-protocol.md §2.9). */
const DO_NOT_RECONNECT = 4774;
const A = 0;
const B = 1;

/**
 * The multi-node semantics of issue 3, one case each, on real processes: two connection
 * nodes (A and B) and two endpoint nodes over nats-server and DynamoDB Local.
 */
describe('a user agent moving between connection nodes', () => {
  let cluster: HeraldCluster;
  let storage: ClusterStorage;
  let sender: ClusterSender;
  let pool: AgentPool;

  beforeAll(async () => {
    cluster = await HeraldCluster.start({ connectionNodes: 2, endpointNodes: 2 });
    storage = new ClusterStorage(cluster);
    sender = new ClusterSender(cluster);
    pool = new AgentPool(cluster);
  }, 90_000);

  afterEach(async () => {
    await pool.closeAll();
    // A case that stopped a node or NATS brings it back for the next one.
    await Promise.all(
      cluster
        .nodes()
        .filter((node) => !node.isRunning)
        .map((node) => node.start()),
    );
  });

  afterAll(async () => {
    storage?.close();
    await cluster?.stop();
  }, 60_000);

  async function subscribe(agent: UserAgent): Promise<Subscription> {
    const registration = await agent.register(undefined, sender.vapid.publicKey);
    expect(registration.status).toBe(200);
    return registration.subscription;
  }

  async function push(subscription: Subscription, payload: string, via: number): Promise<void> {
    const reply = await sender.send(subscription, payload, { via });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 201, body: '' });
  }

  /** The next notification, decrypted (with the keys the browser kept across connections). */
  async function receive(agent: UserAgent, timeoutMs = 10_000): Promise<Received> {
    const notification = await agent.nextNotification(timeoutMs);
    return { notification, text: agent.decrypt(notification).toString('utf8') };
  }

  async function receiveAndAck(agent: UserAgent): Promise<string> {
    const { notification, text } = await receive(agent);
    agent.ack(notification);
    return text;
  }

  /** A barrier with no sleep: a fresh push that arrives proves everything before it arrived. */
  async function flushThrough(agent: UserAgent, subscription: Subscription): Promise<void> {
    await push(subscription, 'barrier', 0);
    const texts: string[] = [];
    for (;;) {
      const text = await receiveAndAck(agent);
      texts.push(text);
      if (text === 'barrier') return;
    }
  }

  it('delivers a push accepted by either endpoint node to a user agent on node A', async () => {
    const agent = await pool.open(A);
    const subscription = await subscribe(agent);

    await push(subscription, 'via endpoint a', 0);
    expect(await receiveAndAck(agent)).toBe('via endpoint a');
    await push(subscription, 'via endpoint b', 1);
    expect(await receiveAndAck(agent)).toBe('via endpoint b');
  });

  it('moves the router to node B on reconnect, drains what was stored meanwhile on B, and routes later pushes to B', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    expect((await storage.routerRecord(onA.uaid!))?.nodeId).toBe(cluster.connection(A).nodeId);
    await onA.close();

    await push(subscription, 'stored 1', 0);
    await push(subscription, 'stored 2', 1);
    const onB = await pool.open(B, onA);
    expect((await storage.routerRecord(onB.uaid!))?.nodeId).toBe(cluster.connection(B).nodeId);
    expect(await receiveAndAck(onB)).toBe('stored 1');
    expect(await receiveAndAck(onB)).toBe('stored 2');

    await push(subscription, 'live on b', 0);
    expect(await receiveAndAck(onB)).toBe('live on b');
    await eventually(async () => (await storage.storedCount(onB.uaid!)) === 0, {
      what: 'acked messages deleted',
    });
  });

  it('gives the uaid to a newer connection on node B while node A still has it open, closing A and delivering once on B', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);

    const onB = await pool.open(B, onA);
    const closeOfA = await onA.closed;
    expect(closeOfA.code).not.toBe(DO_NOT_RECONNECT);
    expect([1000, 1001, 1011]).toContain(closeOfA.code);
    expect((await storage.routerRecord(onB.uaid!))?.nodeId).toBe(cluster.connection(B).nodeId);

    await push(subscription, 'once', 1);
    expect(await receiveAndAck(onB)).toBe('once');
    await flushThrough(onB, subscription);
    expect(onB.allNotifications.map((n) => onB.decrypt(n).toString())).toEqual(['once', 'barrier']);
    expect(onA.allNotifications).toEqual([]);
  });

  it('redelivers on node B, with the same version, a message node A delivered but never saw acked', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    await push(subscription, 'unacked', 0);
    const onAReceived = await receive(onA);
    expect(onAReceived.text).toBe('unacked');

    const onB = await pool.open(B, onA);
    const again = await receive(onB);
    expect(again.text).toBe('unacked');
    expect(again.notification.version).toBe(onAReceived.notification.version);
    onB.ack(again.notification);
    await onA.closed;
    await eventually(async () => (await storage.storedCount(onB.uaid!)) === 0, {
      what: 'the redelivered message deleted after its ack on B',
    });
  });

  it('keeps every push to one subscription when both endpoint nodes accept one at the same moment', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    await onA.close();

    // Pairs sent together, one to each endpoint node: the two processes stamp their
    // storage keys in the same millisecond. 140 rows stay under the per-drain limit (150).
    const payloads: string[] = [];
    const replies: HttpReply[] = [];
    for (let pair = 0; pair < 70; pair++) {
      const both = [`pair ${pair} via a`, `pair ${pair} via b`];
      payloads.push(...both);
      replies.push(
        ...(await Promise.all(
          both.map((payload, via) => sender.send(subscription, payload, { via })),
        )),
      );
    }
    expect(replies.map((reply) => reply.status)).toEqual(payloads.map(() => 201));
    // Each 201 promised a durable row of its own: no two may share a storage key.
    const storageKeys = replies.map((reply) => storageKeyOf(String(reply.headers.location)));
    expect(duplicatesIn(storageKeys)).toEqual([]);
    expect(await storage.storedCount(onA.uaid!, 200)).toBe(payloads.length);

    const onB = await pool.open(B, onA);
    const received = new Set<string>();
    while (received.size < payloads.length) received.add(await receiveAndAck(onB));
    expect([...received].sort()).toEqual([...payloads].sort());
  });

  it('closes every socket with a reconnectable code when node A shuts down cleanly, and the user agent gets its messages on node B', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    await push(subscription, 'delivered on a, not acked', 1);
    const beforeShutdown = await receive(onA);

    const exit = await cluster.connection(A).process.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    const closeOfA = await onA.closed;
    expect(closeOfA.code).not.toBe(DO_NOT_RECONNECT);
    expect(closeOfA.code).toBe(1001);

    // The router still names A, which is gone: the endpoint stores and answers 201.
    await push(subscription, 'while a is down', 0);
    const onB = await pool.open(B, onA);
    const first = await receive(onB);
    expect(first.text).toBe('delivered on a, not acked');
    expect(first.notification.version).toBe(beforeShutdown.notification.version);
    onB.ack(first.notification);
    expect(await receiveAndAck(onB)).toBe('while a is down');
  });

  it('answers 201 for a push while NATS is stopped and delivers it when the user agent reconnects', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    await cluster.nats.stop();
    try {
      await push(subscription, 'during the outage', 0);
      await onA.close();
      const onB = await pool.open(B, onA);
      expect(await receiveAndAck(onB)).toBe('during the outage');
    } finally {
      await cluster.nats.restart();
    }
    await waitForNatsEverywhere();
  });

  it('answers 201 for a push while NATS is stopped and delivers it to the connected user agent once NATS is back', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    await cluster.nats.stop();
    try {
      await push(subscription, 'during the outage', 1);
    } finally {
      await cluster.nats.restart();
    }
    await waitForNatsEverywhere();
    expect((await receive(onA, 15_000)).text).toBe('during the outage');
  });

  it('keeps order for a connected user agent: a push accepted during a NATS outage arrives before one accepted after it', async () => {
    const onA = await pool.open(A);
    const subscription = await subscribe(onA);
    await cluster.nats.stop();
    try {
      await push(subscription, 'during the outage', 0);
    } finally {
      await cluster.nats.restart();
    }
    await waitForNatsEverywhere();
    await push(subscription, 'after the outage', 1);
    expect(await receiveAndAck(onA)).toBe('during the outage');
    expect(await receiveAndAck(onA)).toBe('after the outage');
  });

  /** The storage key sealed in a `Location: …/m/{message-id}`. */
  function storageKeyOf(location: string): string {
    const messageId = location.slice(location.lastIndexOf('/') + 1);
    const opened = openMessageId(cluster.cryptoKeys, messageId);
    if (opened === undefined) throw new Error(`${location} holds no message id`);
    return opened.storageKey;
  }

  /** Every node's heartbeat reports NATS ok again (nodes redial every ~2 s). */
  async function waitForNatsEverywhere(): Promise<void> {
    const opsUrls = [...cluster.connectionNodes, ...cluster.endpointNodes].map((n) => n.opsUrl);
    await eventually(
      async () => {
        for (const url of opsUrls) {
          const reply = await httpRequest(`${url}/__heartbeat__`, { method: 'GET' });
          if (reply.status !== 200) return false;
        }
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: 'every node reconnected to NATS' },
    );
  }
});

function duplicatesIn(values: readonly string[]): string[] {
  return values.filter((value, i) => values.indexOf(value) !== i);
}

type Subscription = Parameters<ClusterSender['send']>[0];

interface Received {
  readonly notification: ReceivedNotification;
  readonly text: string;
}
