import { MemoryMessageStore, MemoryRouterStore, newChannelId, newUaid } from '@herald/core';
import type { MessageId, NodeId, Notification, Uaid } from '@herald/core';
import { UserAgent } from '@herald/testkit';
import { Gate, startMemoryNode } from './support/memory-node';

/** A message store whose calls can be held open, and which records calls made after `sealed`. */
class HeldMessageStore extends MemoryMessageStore {
  fetchGate: Gate | undefined;
  deleteGate: Gate | undefined;
  readonly fetchStarted = new Gate();
  readonly deleteStarted = new Gate();
  sealed = false;
  callsAfterSeal = 0;

  override async fetch(
    uaid: Uaid,
    options: { limit: number; nowMs: number },
  ): Promise<Notification[]> {
    this.noteCall();
    this.fetchStarted.open();
    if (this.fetchGate !== undefined) await this.fetchGate.opened;
    return super.fetch(uaid, options);
  }

  override async delete(uaid: Uaid, storageKey: string, messageId: MessageId): Promise<void> {
    this.noteCall();
    this.deleteStarted.open();
    if (this.deleteGate !== undefined) await this.deleteGate.opened;
    return super.delete(uaid, storageKey, messageId);
  }

  private noteCall(): void {
    if (this.sealed) this.callsAfterSeal += 1;
  }
}

async function eventLoopTurns(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

/** Resolves to whether `promise` settled within a few event-loop turns. */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await eventLoopTurns(20);
  return settled;
}

async function knownUaid(routerStore: MemoryRouterStore): Promise<Uaid> {
  const uaid = newUaid();
  await routerStore.addChannel(uaid, newChannelId(), {
    nodeId: 'elsewhere' as NodeId,
    connectedAtMs: 1,
  });
  return uaid;
}

describe('closing a connection node', () => {
  it('resolves only after a storage fetch started by a session has settled', async () => {
    const routerStore = new MemoryRouterStore();
    const messageStore = new HeldMessageStore();
    messageStore.fetchGate = new Gate();
    const node = await startMemoryNode({ routerStore, messageStore });
    const uaid = await knownUaid(routerStore);
    const agent = await UserAgent.connect(node.url);
    await agent.hello(uaid);
    await messageStore.fetchStarted.opened;

    const closing = node.close();
    expect((await agent.closed).code).toBe(1001);
    expect(await settlesSoon(closing)).toBe(false);

    messageStore.fetchGate.open();
    await closing;
    // Anything still scheduled by the session would call storage within a few turns.
    messageStore.sealed = true;
    await eventLoopTurns(20);
    expect(messageStore.callsAfterSeal).toBe(0);
  });

  it('resolves only after the delete of an acked message has settled', async () => {
    const routerStore = new MemoryRouterStore();
    const messageStore = new HeldMessageStore();
    const node = await startMemoryNode({ routerStore, messageStore });
    const agent = await UserAgent.connect(node.url);
    await agent.hello();
    const registration = await agent.register();
    const uaid = agent.uaid as Uaid;
    const channelId = registration.channelId;
    const notification: Notification = {
      uaid,
      channelId: channelId as Notification['channelId'],
      messageId: 'held-message' as MessageId,
      storageKey: `02:0000000000000001:${channelId}`,
      ttlSeconds: 60,
      receivedAtMs: Date.now(),
      urgency: 'normal',
    };
    await messageStore.save(notification);
    await node.bus.publish('node-memory' as NodeId, { type: 'deliver', notification, hops: 0 });
    const received = await agent.nextNotification();
    messageStore.deleteGate = new Gate();
    agent.ack(received);
    await messageStore.deleteStarted.opened;

    const closing = node.close();
    expect(await settlesSoon(closing)).toBe(false);
    messageStore.deleteGate.open();
    await closing;
    expect(await messageStore.fetch(uaid, { limit: 10, nowMs: Date.now() })).toEqual([]);
  });
});
