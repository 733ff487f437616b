import { MonotonicMicros, newChannelId, newUaid, sealMessageId, storageKeyFor } from '@herald/core';
import type { NodeId, Notification, Uaid } from '@herald/core';
import { UserAgent, eventually } from '@herald/testkit';
import { startMemoryNode } from './support/memory-node';
import type { MemoryNode } from './support/memory-node';
import { PoolLimitedStores } from './support/pool-limited-stores';

const AGENTS = 300;
const POOL_SIZE = 16;
const STORAGE_LATENCY_MS = 15;
/** Shorter than the time the last queued claim waits, so a deadline on queued hellos would fire. */
const HELLO_TIMEOUT_MS = 150;

describe('a reconnect storm against a slow store with a small connection pool', () => {
  let stores: PoolLimitedStores;
  let node: MemoryNode;
  const agents: UserAgent[] = [];

  beforeEach(async () => {
    stores = new PoolLimitedStores(POOL_SIZE, STORAGE_LATENCY_MS);
    node = await startMemoryNode({
      routerStore: stores.routerStore,
      messageStore: stores.messageStore,
      settings: {
        helloTimeoutMs: HELLO_TIMEOUT_MS,
        storageConcurrency: POOL_SIZE,
        storageRetryMs: 20,
      },
    });
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.terminate()));
    await node.close();
  });

  /** Known user agents, each with one stored message, as after their node went away. */
  async function storedUserAgents(count: number): Promise<Map<Uaid, Notification>> {
    const micros = new MonotonicMicros();
    const stored = new Map<Uaid, Notification>();
    for (let i = 0; i < count; i += 1) {
      const uaid = newUaid();
      const channelId = newChannelId();
      await stores.rawRouterStore.addChannel(uaid, channelId, {
        nodeId: 'node-gone' as NodeId,
        connectedAtMs: Date.now() - 60_000,
      });
      const storageKey = storageKeyFor({
        channelId,
        receivedAtUs: micros.next(Date.now()),
        writerId: micros.writerId,
      });
      const notification: Notification = {
        uaid,
        channelId,
        storageKey,
        messageId: sealMessageId(node.keys, { uaid, channelId, storageKey }),
        ttlSeconds: 600,
        receivedAtMs: Date.now(),
        urgency: 'normal',
      };
      await stores.rawMessageStore.save(notification);
      stored.set(uaid, notification);
    }
    return stored;
  }

  it('says hello to every client, delivers every stored message and closes none', async () => {
    const stored = await storedUserAgents(AGENTS);
    agents.push(...(await Promise.all([...stored.keys()].map(() => UserAgent.connect(node.url)))));
    const uaids = [...stored.keys()];

    // Every hello at once: far more claims than the pool takes, queued longer than the deadline.
    const replies = await Promise.all(agents.map((agent, i) => agent.hello(uaids[i], 20_000)));
    expect(replies.map((r) => [r['status'], r['uaid']])).toEqual(uaids.map((u) => [200, u]));

    const received = await Promise.all(agents.map((agent) => agent.nextNotification(20_000)));
    expect(received.map((n) => n.version)).toEqual(uaids.map((u) => stored.get(u)?.messageId));
    agents.forEach((agent, index) => agent.ack(received[index]!));
    await eventually(
      async () => {
        for (const uaid of uaids) {
          if (
            (await stores.rawMessageStore.fetch(uaid, { limit: 1, nowMs: Date.now() })).length > 0
          )
            return false;
        }
        return true;
      },
      { what: 'every acked message to be deleted', timeoutMs: 20_000 },
    );
    expect(agents.every((agent) => agent.isOpen)).toBe(true);
    expect({ rejected: stores.rejected, peak: stores.peakInFlight }).toEqual({
      rejected: 0,
      peak: POOL_SIZE,
    });
  });

  it('rides out storage failures during the storm by retrying, not closing', async () => {
    const stored = await storedUserAgents(40);
    const uaids = [...stored.keys()];
    agents.push(...(await Promise.all(uaids.map(() => UserAgent.connect(node.url)))));
    stores.failNext = 20;
    const replies = await Promise.all(agents.map((agent, i) => agent.hello(uaids[i], 20_000)));
    expect(replies.map((r) => r['uaid'])).toEqual(uaids);
    const received = await Promise.all(agents.map((agent) => agent.nextNotification(20_000)));
    expect(received.map((n) => n.version)).toEqual(uaids.map((u) => stored.get(u)?.messageId));
    expect(stores.failNext).toBe(0);
  });
});
