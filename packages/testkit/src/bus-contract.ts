/// <reference types="jest" />
import {
  BusUnavailableError,
  type BusSubscription,
  type ChannelId,
  type MessageId,
  type NodeBus,
  type NodeCommand,
  type NodeId,
  type Uaid,
} from '@herald/core';

/**
 * What a contract run needs from one NodeBus implementation. `makeBus` returns a bus
 * as a separate process would see it (for NATS: its own connection to the same
 * server; for the in-process bus: an instance on the same hub). The suite closes every
 * bus it made, then calls `dispose`.
 */
export interface NodeBusFixture {
  makeBus(): Promise<NodeBus>;
  dispose(): Promise<void>;
}

const WAIT_MS = 5_000;

/**
 * The behaviour every {@link NodeBus} promises, as one jest `describe`. Each test uses
 * fresh node ids, so buses may be shared across tests.
 */
export function describeNodeBusContract(
  name: string,
  factory: () => Promise<NodeBusFixture>,
): void {
  describe(`${name} (NodeBus contract)`, () => {
    let fixture: NodeBusFixture;
    const buses: NodeBus[] = [];
    const subscriptions: BusSubscription[] = [];

    beforeAll(async () => {
      fixture = await factory();
    });

    afterAll(async () => {
      for (const subscription of subscriptions) await subscription.close();
      for (const bus of buses) await bus.close();
      await fixture?.dispose();
    });

    const makeBus = async (): Promise<NodeBus> => {
      const bus = await fixture.makeBus();
      buses.push(bus);
      return bus;
    };
    const track = (subscription: BusSubscription): BusSubscription => {
      subscriptions.push(subscription);
      return subscription;
    };

    it('delivers a command published to a node to that node’s listener and not another’s', async () => {
      const bus = await makeBus();
      const [x, y] = [freshNodeId('x'), freshNodeId('y')];
      const atX = new Inbox();
      const atY = new Inbox();
      track(await bus.listen(x, atX.handler));
      track(await bus.listen(y, atY.handler));

      await bus.publish(x, checkStorage(1));
      // A marker sent to Y after the command to X: once it arrives, anything misrouted
      // from X's command would have arrived too.
      await bus.publish(y, checkStorage(2));

      expect(await atX.next()).toEqual(checkStorage(1));
      expect(await atY.next()).toEqual(checkStorage(2));
      expect(atY.received).toEqual([checkStorage(2)]);
    });

    it('carries every kind of command intact', async () => {
      const bus = await makeBus();
      const x = freshNodeId('x');
      const inbox = new Inbox();
      track(await bus.listen(x, inbox.handler));
      const commands = sampleCommands();

      for (const command of commands) await bus.publish(x, command);

      expect(await inbox.take(commands.length)).toEqual(commands);
    });

    it('lets two buses, as two processes would, talk to each other both ways', async () => {
      const [first, second] = [await makeBus(), await makeBus()];
      const [a, b] = [freshNodeId('a'), freshNodeId('b')];
      const atA = new Inbox();
      const atB = new Inbox();
      track(await first.listen(a, atA.handler));
      track(await second.listen(b, atB.handler));

      await first.publish(b, checkStorage(1));
      await second.publish(a, checkStorage(2));

      expect(await atB.next()).toEqual(checkStorage(1));
      expect(await atA.next()).toEqual(checkStorage(2));
    });

    it('keeps the publish order of one publisher towards one node', async () => {
      const [publisher, receiver] = [await makeBus(), await makeBus()];
      const x = freshNodeId('x');
      const inbox = new Inbox();
      track(await receiver.listen(x, inbox.handler));
      const commands = Array.from({ length: 200 }, (_, sequence) => disconnect(sequence));

      for (const command of commands) await publisher.publish(x, command);

      expect(await inbox.take(commands.length)).toEqual(commands);
    });

    it('delivers publishToAll to every listenToAll handler on every bus', async () => {
      const [publisher, first, second] = [await makeBus(), await makeBus(), await makeBus()];
      const inboxes = [new Inbox(), new Inbox(), new Inbox()] as const;
      track(await first.listenToAll(inboxes[0].handler));
      track(await second.listenToAll(inboxes[1].handler));
      track(await second.listenToAll(inboxes[2].handler));
      const announcement: NodeCommand = {
        type: 'broadcasts-changed',
        broadcasts: { 'remote-settings/monitor_changes': `v${Date.now()}` },
      };

      await publisher.publishToAll(announcement);

      for (const inbox of inboxes) expect(await inbox.next()).toEqual(announcement);
    });

    it('does not deliver node commands to listenToAll handlers', async () => {
      const bus = await makeBus();
      const x = freshNodeId('x');
      const everyone = new Inbox();
      const atX = new Inbox();
      const all = track(await bus.listenToAll(everyone.handler));
      track(await bus.listen(x, atX.handler));

      await bus.publish(x, checkStorage(1));
      expect(await atX.next()).toEqual(checkStorage(1));
      // Close before other tests announce to everyone, so only this test's traffic counts.
      await all.close();

      expect(everyone.received).toEqual([]);
    });

    it('delivers nothing to a subscription after it is closed', async () => {
      const [publisher, receiver] = [await makeBus(), await makeBus()];
      const x = freshNodeId('x');
      const closed = new Inbox();
      const open = new Inbox();
      const subscription = await receiver.listen(x, closed.handler);
      await subscription.close();
      track(await receiver.listen(x, open.handler));

      await publisher.publish(x, checkStorage(1));

      // The open subscription on the same node proves the command was delivered.
      expect(await open.next()).toEqual(checkStorage(1));
      expect(closed.received).toEqual([]);
    });

    it('lets a subscription be closed twice', async () => {
      const bus = await makeBus();
      const subscription = await bus.listen(freshNodeId('x'), () => undefined);

      await subscription.close();
      await expect(subscription.close()).resolves.toBeUndefined();
    });

    it('keeps delivering to a listener after an earlier handler call threw', async () => {
      const bus = await makeBus();
      const x = freshNodeId('x');
      const inbox = new Inbox();
      let calls = 0;
      track(
        await bus.listen(x, (command) => {
          calls += 1;
          if (calls === 1) throw new Error('handler failure on purpose');
          inbox.handler(command);
        }),
      );

      await bus.publish(x, checkStorage(1));
      await bus.publish(x, checkStorage(2));

      expect(await inbox.next()).toEqual(checkStorage(2));
    });

    it('answers ping while the transport is up', async () => {
      const bus = await makeBus();

      await expect(bus.ping()).resolves.toBeUndefined();
    });

    it('can be closed twice, and then refuses to publish with BusUnavailableError', async () => {
      const bus = await makeBus();

      await bus.close();
      await expect(bus.close()).resolves.toBeUndefined();
      await expect(bus.publish(freshNodeId('x'), checkStorage(1))).rejects.toBeInstanceOf(
        BusUnavailableError,
      );
    });
  });
}

/** Collects the commands a handler receives and lets a test wait for them. */
export class Inbox {
  readonly received: NodeCommand[] = [];
  #waiters: { count: number; resolve: () => void }[] = [];

  readonly handler = (command: NodeCommand): void => {
    this.received.push(command);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  /** The first command received (waiting for it if needed). */
  async next(timeoutMs = WAIT_MS): Promise<NodeCommand> {
    const [first] = await this.take(1, timeoutMs);
    return first as NodeCommand;
  }

  /** The first `count` commands, once that many have arrived. */
  async take(count: number, timeoutMs = WAIT_MS): Promise<NodeCommand[]> {
    if (this.received.length < count) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        this.#waiters.push({ count, resolve });
        timer = setTimeout(() => {
          reject(
            new Error(
              `received ${this.received.length} of ${count} commands within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      }).finally(() => clearTimeout(timer));
    }
    return this.received.slice(0, count);
  }
}

let nodeCounter = 0;

/** A node id no other test (or earlier run against the same server) uses. */
export function freshNodeId(label: string): NodeId {
  nodeCounter += 1;
  return `${label}-${process.pid}-${nodeCounter}-${Math.random().toString(36).slice(2, 8)}` as NodeId;
}

const UAID = '0123456789abcdef0123456789abcdef' as Uaid;
const CHANNEL_ID = '01234567-89ab-4def-8123-456789abcdef' as ChannelId;

/** A `check-storage` command; `n` varies the uaid's last digit so commands differ. */
export function checkStorage(n: number): NodeCommand {
  return { type: 'check-storage', uaid: `${UAID.slice(0, 31)}${(n % 16).toString(16)}` as Uaid };
}

/** A `disconnect` whose `connectedAtMs` carries a sequence number. */
export function disconnect(sequence: number): NodeCommand {
  return {
    type: 'disconnect',
    uaid: UAID,
    newOwner: { nodeId: 'node-b' as NodeId, connectedAtMs: sequence },
  };
}

/** One command of each type, with every optional field present somewhere. */
export function sampleCommands(): NodeCommand[] {
  return [
    {
      type: 'deliver',
      hops: 0,
      notification: {
        uaid: UAID,
        channelId: CHANNEL_ID,
        messageId: 'gAAAAABmessage-id' as MessageId,
        storageKey: `01:${CHANNEL_ID}:news`,
        topic: 'news',
        ttlSeconds: 60,
        receivedAtMs: 1_700_000_000_123,
        urgency: 'high',
        data: 'SGVsbG8',
        headers: { encoding: 'aes128gcm' },
      },
    },
    {
      type: 'deliver',
      hops: 1,
      notification: {
        uaid: UAID,
        channelId: CHANNEL_ID,
        messageId: 'gAAAAABother-id' as MessageId,
        storageKey: `02:0001700000000123:${CHANNEL_ID}`,
        ttlSeconds: 0,
        receivedAtMs: 1_700_000_000_123,
        urgency: 'normal',
      },
    },
    checkStorage(3),
    disconnect(1_700_000_000_456),
    {
      type: 'broadcasts-changed',
      broadcasts: { 'remote-settings/monitor_changes': '"1700000000"' },
    },
  ];
}
