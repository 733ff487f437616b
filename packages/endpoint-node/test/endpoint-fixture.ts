/**
 * An endpoint app on an ephemeral loopback port, wired to real stores and an in-process
 * bus whose listener records every `deliver` sent to the subscription's node. Also
 * subscriptions (router record + endpoint URL + browser-style keys) and a recording
 * logger.
 */
import { createECDH, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CryptoKeys,
  InProcessBus,
  endpointUrl,
  makeEndpointToken,
  newChannelId,
  newUaid,
  parseNodeId,
  systemClock,
  type BusSubscription,
  type ChannelId,
  type Logger,
  type MessageStore,
  type NodeBus,
  type NodeCommand,
  type NodeId,
  type RouterStore,
  type Uaid,
} from '@herald/core';
import { createEndpointApp, type EndpointAppDeps, type EndpointSettings } from '../src';
import { openTestStores, type TestStores } from './test-stores';

export type Deliver = Extract<NodeCommand, { type: 'deliver' }>;

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: object;
  readonly message: string;
}

/** A {@link Logger} that keeps every line, so tests can assert what was (not) logged. */
export function recordingLogger(lines: LogLine[] = []): Logger & { lines: LogLine[] } {
  const at =
    (level: LogLine['level']) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  const logger = {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

export interface TestSubscription {
  readonly uaid: Uaid;
  readonly channelId: ChannelId;
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface EndpointFixture {
  readonly origin: string;
  readonly keys: CryptoKeys;
  readonly nodeId: NodeId;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  readonly log: ReturnType<typeof recordingLogger>;
  /** The in-process bus the app publishes on (before any `wrapBus`). */
  readonly bus: NodeBus;
  /** Every `deliver` published to `nodeId`, in arrival order. */
  readonly delivers: Deliver[];
  /** Waits for the next `deliver` not yet returned by an earlier call. */
  nextDeliver(): Promise<Deliver>;
  /** Stops the database under the stores: every later storage call fails. */
  stopDatabase(): Promise<void>;
  /** Registers a channel for a fresh uaid owned by `nodeId`; v2 when `appServerKey` is given. */
  subscribe(o?: { appServerKey?: Buffer }): Promise<TestSubscription>;
  close(): Promise<void>;
}

export async function startEndpointFixture(
  o: {
    settings?: Partial<EndpointSettings>;
    /** Wraps the real stores, e.g. to make calls fail. */
    wrapStores?: (stores: { routerStore: RouterStore; messageStore: MessageStore }) => {
      routerStore: RouterStore;
      messageStore: MessageStore;
    };
    /** Wraps the in-process bus, e.g. to make publishes fail. */
    wrapBus?: (bus: NodeBus) => NodeBus;
    /** Optional parts of the app: metrics registry, admin API. */
    app?: Pick<EndpointAppDeps, 'registry' | 'adminToken' | 'broadcastStore'>;
  } = {},
): Promise<EndpointFixture> {
  const keys = CryptoKeys.parse(CryptoKeys.generateKey());
  const nodeId = parseNodeId('connection-node-1')!;
  const log = recordingLogger();
  const stores: TestStores = await openTestStores(log);
  const { routerStore, messageStore } = o.wrapStores?.(stores) ?? stores;
  const bus = new InProcessBus({ log });
  const delivers: Deliver[] = [];
  let consumed = 0;
  const waiters: (() => void)[] = [];
  const subscription: BusSubscription = await bus.listen(nodeId, (command) => {
    if (command.type !== 'deliver') return;
    delivers.push(command);
    for (const wake of waiters.splice(0)) wake();
  });

  // The origin is the VAPID audience, so the port must be known before the app exists.
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app = createEndpointApp({
    publicOrigin: origin,
    keys,
    routerStore,
    messageStore,
    bus: o.wrapBus?.(bus) ?? bus,
    clock: systemClock,
    log,
    settings: o.settings,
    ...o.app,
  });
  server.on('request', app);

  return {
    origin,
    keys,
    nodeId,
    routerStore,
    messageStore,
    log,
    bus,
    delivers,
    async nextDeliver() {
      while (delivers.length <= consumed) await new Promise<void>((wake) => waiters.push(wake));
      return delivers[consumed++]!;
    },
    stopDatabase: () => stores.stopDatabase(),
    async subscribe(s = {}) {
      const uaid = newUaid();
      const channelId = newChannelId();
      await stores.routerStore.addChannel(uaid, channelId, { nodeId, connectedAtMs: Date.now() });
      const token = makeEndpointToken(keys, { uaid, channelId, appServerKey: s.appServerKey });
      return { uaid, channelId, endpoint: endpointUrl(origin, token), keys: browserKeys() };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await subscription.close();
      await bus.close();
      await stores.close();
    },
  };
}

/** The p256dh/auth pair a browser's PushManager would hand out. */
function browserKeys(): { p256dh: string; auth: string } {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    p256dh: ecdh.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
}
