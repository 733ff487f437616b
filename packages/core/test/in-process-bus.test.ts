import {
  BusUnavailableError,
  InProcessBus,
  newUaid,
  type NodeCommand,
  type NodeId,
} from '../src/index';

const nodeA = 'node-a' as NodeId;
const nodeB = 'node-b' as NodeId;
const check: NodeCommand = { type: 'check-storage', uaid: newUaid() };

/** Resolves with the next `count` commands the returned handler receives. */
function collector(count: number): {
  handler: (c: NodeCommand) => void;
  received: Promise<NodeCommand[]>;
} {
  const got: NodeCommand[] = [];
  let done!: (commands: NodeCommand[]) => void;
  const received = new Promise<NodeCommand[]>((resolve) => (done = resolve));
  return {
    handler: (c) => {
      got.push(c);
      if (got.length === count) done(got);
    },
    received,
  };
}

describe('InProcessBus', () => {
  let bus: InProcessBus;
  beforeEach(() => {
    bus = new InProcessBus();
  });
  afterEach(async () => {
    await bus.close();
  });

  it('delivers a publish to the listening node asynchronously, never inside publish', async () => {
    const received: NodeCommand[] = [];
    const { handler, received: arrived } = collector(1);
    await bus.listen(nodeA, (c) => {
      received.push(c);
      handler(c);
    });
    const published = bus.publish(nodeA, check);
    expect(received).toEqual([]);
    await published;
    expect(await arrived).toEqual([check]);
  });

  it('delivers only to the addressed node, in publish order', async () => {
    const a = collector(3);
    const b: NodeCommand[] = [];
    await bus.listen(nodeA, a.handler);
    await bus.listen(nodeB, (c) => b.push(c));
    const commands: NodeCommand[] = [1, 2, 3].map(() => ({
      type: 'check-storage',
      uaid: newUaid(),
    }));
    for (const c of commands) await bus.publish(nodeA, c);
    expect(await a.received).toEqual(commands);
    expect(b).toEqual([]);
  });

  it('reaches every listenToAll handler with publishToAll', async () => {
    const first = collector(1);
    const second = collector(1);
    await bus.listenToAll(first.handler);
    await bus.listenToAll(second.handler);
    const command: NodeCommand = { type: 'broadcasts-changed', broadcasts: { a: 'v2' } };
    await bus.publishToAll(command);
    expect(await first.received).toEqual([command]);
    expect(await second.received).toEqual([command]);
  });

  it('resolves a publish to a node nobody listens for', async () => {
    await expect(bus.publish(nodeB, check)).resolves.toBeUndefined();
  });

  it('stops delivery to a closed subscription, even of commands already published', async () => {
    const closedOne: NodeCommand[] = [];
    const subscription = await bus.listen(nodeA, (c) => closedOne.push(c));
    const witness = collector(1);
    await bus.listen(nodeA, witness.handler);
    await bus.publish(nodeA, check);
    await subscription.close();
    await witness.received;
    expect(closedOne).toEqual([]);
  });

  it('stops all delivery and refuses work once closed', async () => {
    const received: NodeCommand[] = [];
    await bus.listen(nodeA, (c) => received.push(c));
    await bus.publish(nodeA, check);
    await bus.close();
    // Deliveries are queued with setImmediate; one more turn runs any that were queued.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(received).toEqual([]);
    await expect(bus.publish(nodeA, check)).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(bus.publishToAll(check)).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(bus.listen(nodeA, () => undefined)).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);
    await expect(bus.close()).resolves.toBeUndefined();
  });

  it('logs a handler that throws and keeps delivering', async () => {
    const errors: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn() {},
      error: (_f: object, m: string) => errors.push(m),
      child: () => log,
    };
    const logged = new InProcessBus({ log });
    const after = collector(1);
    await logged.listen(nodeA, (c) => {
      if (c === check) throw new Error('boom');
      after.handler(c);
    });
    await logged.publish(nodeA, check);
    const next: NodeCommand = { type: 'check-storage', uaid: newUaid() };
    await logged.publish(nodeA, next);
    expect(await after.received).toEqual([next]);
    expect(errors).toEqual(['bus handler threw']);
    await logged.close();
  });
});
