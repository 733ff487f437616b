import type {
  BroadcastStore,
  BusSubscription,
  Clock,
  CryptoKeys,
  Logger,
  MessageStore,
  NodeBus,
  NodeCommand,
  NodeId,
  RouterStore,
} from '@herald/core';
import type { Registry } from 'prom-client';
import { startBroadcastPolling } from './broadcasts/broadcast-poller';
import type { BroadcastPoller } from './broadcasts/broadcast-poller';
import { BroadcastVersions } from './broadcasts/broadcast-versions';
import { createConnectionMetrics } from './connection-metrics';
import { InFlightWork } from './in-flight-work';
import { handleNodeCommand } from './node-inbox';
import { SessionRegistry } from './registry';
import { messageStoreThrough, routerStoreThrough } from './storage/stores-through';
import { DeferredDeletes } from './storage/deferred-deletes';
import { StorageQueue } from './storage/storage-queue';
import { ConnectionClock } from './session/session-context';
import type { SessionContext } from './session/session-context';
import { Session } from './session/session';
import { resolveConnectionSettings } from './settings';
import type { ConnectionSettings } from './settings';
import { startWsTransport } from './ws-transport';
import type { TlsFiles, WsTransport } from './ws-transport';

export interface ConnectionNodeOptions {
  readonly nodeId: NodeId;
  readonly port: number;
  readonly host?: string;
  /** The endpoint service's origin as application servers see it (builds `pushEndpoint`). */
  readonly publicOrigin: string;
  readonly keys: CryptoKeys;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  readonly bus: NodeBus;
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings?: Partial<ConnectionSettings>;
  /** Where the node's metrics are declared (connection-metrics.ts); absent → none. */
  readonly registry?: Registry;
  /** PEM certificate and key: serve wss:// directly, for installs without a TLS proxy. */
  readonly tls?: TlsFiles;
  /**
   * Called once when `close()` starts, before anything is closed, so the process can
   * fail its readiness probe while the sockets drain.
   */
  readonly onDraining?: () => void;
  /**
   * Where broadcast (megaphone) versions live: read at start and every
   * `settings.broadcastPollMs`. Absent → no broadcast is known, and every id a client
   * names is answered with "Broadcast not found".
   */
  readonly broadcastStore?: BroadcastStore;
}

/** A running connection node. */
export interface ConnectionNode {
  /** The port actually listened on (useful with `port: 0`). */
  readonly port: number;
  /** Open WebSockets, identified or not. */
  connectionCount(): number;
  /**
   * Stops accepting (closes the listen socket), closes every socket with 1001 (Firefox
   * reconnects, to another node behind the load balancer), then closes the bus
   * subscriptions. With `drainMs`, sockets are closed in ten batches spread over that time
   * so the clients do not all reconnect at once. Resolves only after every in-flight
   * storage call and publish of every session (and any broadcast read) has settled, so
   * the stores and the bus can be closed right after. Idempotent.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

/** Composition root of a connection node: the only place its infrastructure is wired. */
export async function createConnectionNode(
  options: ConnectionNodeOptions,
): Promise<ConnectionNode> {
  const settings = resolveConnectionSettings(options.settings);
  const log = options.log.child({ component: 'connection-node', nodeId: options.nodeId });
  const registry = new SessionRegistry();
  const inFlight = new InFlightWork();
  const broadcasts = new BroadcastVersions();
  let transport: WsTransport | undefined;
  const metrics = createConnectionMetrics(
    options.registry,
    () => transport?.connectionCount() ?? 0,
  );
  // Every storage call of the node's sessions and inbox waits its turn here.
  const storageQueue = new StorageQueue(settings.storageConcurrency);
  const queued = <T>(call: () => Promise<T>): Promise<T> => storageQueue.run(call);
  const routerStore = routerStoreThrough(options.routerStore, queued);
  const messageStore = messageStoreThrough(options.messageStore, queued);
  const ackedDeletes = new DeferredDeletes(messageStore, settings.ackDeleteWindowMs);
  const ctx: SessionContext = {
    nodeId: options.nodeId,
    publicOrigin: options.publicOrigin,
    keys: options.keys,
    routerStore,
    messageStore,
    ackedDeletes,
    bus: options.bus,
    clock: options.clock,
    log,
    settings,
    registry,
    connectionClock: new ConnectionClock(options.clock),
    inFlight,
    metrics,
    broadcasts,
  };
  const inboxDeps = {
    nodeId: ctx.nodeId,
    registry,
    routerStore: ctx.routerStore,
    bus: ctx.bus,
    log,
    inFlight,
    metrics,
    broadcasts,
  };
  const onCommand = (command: NodeCommand): void => handleNodeCommand(command, inboxDeps);

  // Started in order, released in reverse if a later step fails.
  let poller: BroadcastPoller | undefined;
  const subscriptions: BusSubscription[] = [];
  const release = async (): Promise<void> => {
    poller?.stop();
    // Held deletes start now rather than at their window's end; settled() waits for them.
    ackedDeletes.stop();
    for (const subscription of subscriptions.splice(0).reverse()) await subscription.close();
    await inFlight.settled();
  };
  try {
    if (options.broadcastStore !== undefined) {
      poller = await startBroadcastPolling({
        store: options.broadcastStore,
        versions: broadcasts,
        pollMs: settings.broadcastPollMs,
        log,
        inFlight,
      });
    }
    options.bus.onReconnect(() => {
      // Deliver commands published during the outage were lost; their rows are stored.
      log.info({ sessions: registry.size }, 'bus reconnected; re-checking storage');
      inFlight.track(recheckStorage(registry));
    });
    subscriptions.push(await options.bus.listen(options.nodeId, onCommand));
    subscriptions.push(await options.bus.listenToAll(onCommand));
    transport = await startWsTransport({
      port: options.port,
      host: options.host,
      settings,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      log,
      openSession: (link) => new Session(link, ctx),
      onConnectionCapReached: () => metrics.connectionCapRejected(),
    });
  } catch (error) {
    await release();
    throw error;
  }
  const ws = transport;
  log.info({ port: ws.port, tls: options.tls !== undefined }, 'connection node ready');

  let closing: Promise<void> | undefined;
  const close = async (drainMs: number): Promise<void> => {
    options.onDraining?.();
    // The listen socket goes first: a load balancer sees refused connections and sends
    // reconnecting clients to the other nodes.
    ws.stopAccepting();
    log.info({ connections: ws.connectionCount(), drainMs }, 'connection node draining');
    await closeInBatches(ws, drainMs);
    // Closed sessions may still be awaiting storage (a drain fetch, an ack's delete); the
    // caller closes the stores next, so nothing may touch them after this resolves.
    await release();
    ws.close();
    log.info({}, 'connection node closed');
  };

  return {
    port: ws.port,
    connectionCount: () => ws.connectionCount(),
    close: (closeOptions = {}) => (closing ??= close(closeOptions.drainMs ?? 0)),
  };
}

/** Sessions re-checked per step after a bus outage, and the pause between steps. */
const RECHECK_BATCH = 1000;
const RECHECK_PAUSE_MS = 50;

/**
 * Asks every identified session to drain storage again, {@link RECHECK_BATCH} at a time,
 * so a node holding a hundred thousand user agents does not send DynamoDB a hundred
 * thousand queries in the same instant after NATS comes back.
 */
async function recheckStorage(registry: SessionRegistry): Promise<void> {
  let inBatch = 0;
  for (const session of Array.from(registry.sessions())) {
    session.checkStorage();
    if (++inBatch === RECHECK_BATCH) {
      inBatch = 0;
      await new Promise((resolve) => setTimeout(resolve, RECHECK_PAUSE_MS));
    }
  }
}

/** Batches a drain is split into: enough to smooth the reconnect wave, few enough timers. */
const DRAIN_BATCHES = 10;

/**
 * Closes every socket with 1001, in {@link DRAIN_BATCHES} equal batches spread evenly
 * over `drainMs` (all at once when 0), so the clients do not all reconnect to the other
 * nodes in the same instant. Sockets that leave by themselves meanwhile shorten it.
 */
async function closeInBatches(ws: WsTransport, drainMs: number): Promise<void> {
  const batches = drainMs > 0 ? DRAIN_BATCHES : 1;
  const perBatch = Math.ceil(ws.connectionCount() / batches);
  const pauseMs = drainMs / batches;
  for (let batch = 0; batch < batches && ws.connectionCount() > 0; batch += 1) {
    if (batch > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    ws.closeSockets('shutdown', batch === batches - 1 ? undefined : perBatch);
  }
}
