import {
  CryptoKeys,
  InProcessBus,
  MemoryMessageStore,
  MemoryRouterStore,
  MonotonicMicros,
  sealMessageId,
  storageKeyFor,
} from '@herald/core';
import type {
  BusSubscription,
  ChannelId,
  Clock,
  MessageStore,
  NodeBus,
  NodeId,
  Notification,
  RouterStore,
  Uaid,
} from '@herald/core';
import {
  ConnectionClock,
  DEFAULT_CONNECTION_SETTINGS,
  Session,
  SessionRegistry,
  BroadcastVersions,
  InFlightWork,
  NO_METRICS,
  handleNodeCommand,
} from '../../src';
import type { ConnectionSettings, SessionContext } from '../../src';
import { DeferredDeletes } from '../../src/storage/deferred-deletes';
import { MemoryLogger } from './quiet-logger';
import { RecordingTransport } from './recording-transport';
import type { ServerFrame } from './recording-transport';

export class FakeClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  nowMs(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** What every node in a test shares: storage, bus, keys, time. */
export interface SharedWorld {
  readonly clock: FakeClock;
  readonly keys: CryptoKeys;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  readonly bus: NodeBus;
  readonly log: MemoryLogger;
}

export function createWorld(
  overrides: Partial<Pick<SharedWorld, 'routerStore' | 'messageStore'>> = {},
): SharedWorld {
  const clock = new FakeClock();
  const log = new MemoryLogger();
  return {
    clock,
    keys: CryptoKeys.parse(CryptoKeys.generateKey()),
    routerStore: overrides.routerStore ?? new MemoryRouterStore({ clock }),
    messageStore: overrides.messageStore ?? new MemoryMessageStore(),
    bus: new InProcessBus({ log }),
    log,
  };
}

/** A user agent's socket as the session sees it, plus helpers that speak the protocol. */
export class TestClient {
  constructor(
    readonly session: Session,
    readonly transport: RecordingTransport,
  ) {}

  send(frame: object | string): void {
    this.session.onText(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  next(): Promise<ServerFrame> {
    return this.transport.next();
  }

  closed(): Promise<{ code: number; reason: string }> {
    return this.transport.closed();
  }

  async hello(uaid?: string): Promise<ServerFrame> {
    this.send({
      messageType: 'hello',
      use_webpush: true,
      broadcasts: {},
      ...(uaid === undefined ? {} : { uaid }),
    });
    return this.next();
  }

  async register(channelId: string, key?: string): Promise<ServerFrame> {
    this.send({
      messageType: 'register',
      channelID: channelId,
      ...(key === undefined ? {} : { key }),
    });
    return this.next();
  }

  ack(frame: ServerFrame): void {
    this.send({
      messageType: 'ack',
      updates: [{ channelID: frame['channelID'], version: frame['version'], code: 100 }],
    });
  }
}

/** One connection node's session layer, without sockets. */
export class TestNode {
  readonly registry = new SessionRegistry();
  readonly inFlight = new InFlightWork();
  readonly broadcasts = new BroadcastVersions();
  readonly ctx: SessionContext;
  /** Held until a test calls `flush()` (a window no test waits out). */
  readonly ackedDeletes: DeferredDeletes;
  private subscription: BusSubscription | undefined;
  private readonly micros = new MonotonicMicros();

  constructor(
    readonly world: SharedWorld,
    readonly nodeId: NodeId,
    settings: Partial<ConnectionSettings> = {},
  ) {
    this.ackedDeletes = new DeferredDeletes(world.messageStore, 60_000);
    this.ctx = {
      nodeId,
      publicOrigin: 'https://push.example',
      keys: world.keys,
      routerStore: world.routerStore,
      messageStore: world.messageStore,
      ackedDeletes: this.ackedDeletes,
      bus: world.bus,
      clock: world.clock,
      log: world.log,
      settings: { ...DEFAULT_CONNECTION_SETTINGS, ...settings },
      registry: this.registry,
      connectionClock: new ConnectionClock(world.clock),
      inFlight: this.inFlight,
      metrics: NO_METRICS,
      broadcasts: this.broadcasts,
    };
  }

  async listen(): Promise<this> {
    const deps = {
      nodeId: this.nodeId,
      registry: this.registry,
      routerStore: this.world.routerStore,
      bus: this.world.bus,
      log: this.world.log,
      inFlight: this.inFlight,
      metrics: NO_METRICS,
      broadcasts: this.broadcasts,
    };
    this.subscription = await this.world.bus.listen(this.nodeId, (command) =>
      handleNodeCommand(command, deps),
    );
    return this;
  }

  connect(): TestClient {
    const transport = new RecordingTransport();
    const session = new Session(transport, this.ctx);
    transport.session = session;
    return new TestClient(session, transport);
  }

  /** A notification as an endpoint would accept it now (not stored). */
  notification(
    uaid: Uaid,
    channelId: ChannelId,
    options: { topic?: string; ttlSeconds?: number; data?: string } = {},
  ): Notification {
    const receivedAtMs = this.world.clock.nowMs();
    const storageKey = storageKeyFor({
      channelId,
      topic: options.topic,
      receivedAtUs: this.micros.next(receivedAtMs),
      writerId: this.micros.writerId,
    });
    return {
      uaid,
      channelId,
      messageId: sealMessageId(this.world.keys, { uaid, channelId, storageKey }),
      storageKey,
      ttlSeconds: options.ttlSeconds ?? 60,
      receivedAtMs,
      urgency: 'normal',
      ...(options.topic === undefined ? {} : { topic: options.topic }),
      ...(options.data === undefined
        ? {}
        : { data: options.data, headers: { encoding: 'aes128gcm' as const } }),
    };
  }

  /** Stores a notification, as the endpoint does before it publishes. */
  async store(
    uaid: Uaid,
    channelId: ChannelId,
    options: { topic?: string; ttlSeconds?: number; data?: string } = {},
  ): Promise<Notification> {
    const n = this.notification(uaid, channelId, options);
    await this.world.messageStore.save(n);
    return n;
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }
}

/** Lets queued setImmediate/microtask work (the bus, session tasks) run to completion. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
