import type {
  Clock,
  CryptoKeys,
  Logger,
  MessageStore,
  NodeBus,
  NodeId,
  RouterStore,
} from '@herald/core';
import type { ConnectionSettings } from '../settings';
import type { BroadcastVersions } from '../broadcasts/broadcast-versions';
import type { ConnectionMetrics } from '../connection-metrics';
import type { InFlightWork } from '../in-flight-work';
import type { DeferredDeletes } from '../storage/deferred-deletes';
import type { SessionRegistry } from '../registry';

/**
 * What every session on a node shares: one object per node, referenced (not copied) by
 * each session, so a socket costs only its own state.
 */
export interface SessionContext {
  readonly nodeId: NodeId;
  /** The endpoint service's origin, for `pushEndpoint` URLs. */
  readonly publicOrigin: string;
  readonly keys: CryptoKeys;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  /** Deletes of acked live pushes, batched across sessions (`messageStore` underneath). */
  readonly ackedDeletes: DeferredDeletes;
  readonly bus: NodeBus;
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings: ConnectionSettings;
  readonly registry: SessionRegistry;
  readonly connectionClock: ConnectionClock;
  /** Every session task and publish is tracked here, so `close()` can wait for it. */
  readonly inFlight: InFlightWork;
  readonly metrics: ConnectionMetrics;
  /** The node's broadcast versions and their subscribers. */
  readonly broadcasts: BroadcastVersions;
}

/**
 * Hands out `connectedAtMs` values that strictly increase on this node, so two `hello`s
 * for one uaid in the same millisecond still have a newer and an older connection
 * (`RouterStore.claim` lets only a strictly newer connection win).
 */
export class ConnectionClock {
  private lastMs = 0;

  constructor(private readonly clock: Clock) {}

  next(): number {
    const nowMs = this.clock.nowMs();
    this.lastMs = nowMs > this.lastMs ? nowMs : this.lastMs + 1;
    return this.lastMs;
  }
}
