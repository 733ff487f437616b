import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { NodeCommandType } from '@herald/core';

/** How a `hello` ended: a fresh uaid, a known one taken over, or the socket closed. */
export type HelloMetricOutcome = 'new' | 'returning' | 'rejected';

/** Where a `notification` frame came from: a bus `deliver`, or a storage drain. */
export type DeliverySource = 'live' | 'stored';

/**
 * What a connection node counts. Every method is cheap and synchronous; nothing here
 * holds per-socket state (the gauge of open sockets is read from the transport when
 * Prometheus scrapes). Labels are small fixed sets: never a uaid, channel or version.
 */
export interface ConnectionMetrics {
  helloCompleted(outcome: HelloMetricOutcome): void;
  /** A `register` answered 200. */
  registered(): void;
  /** An `unregister` answered 200. */
  unregistered(): void;
  delivered(source: DeliverySource): void;
  /**
   * One update of an `ack` frame. `latencyMs` (send → ack) is known only for messages
   * this connection sent and tracked, i.e. those with TTL > 0.
   */
  acked(code: number | undefined, latencyMs: number | undefined): void;
  /** A message found expired before it was sent (live or from storage). */
  expired(): void;
  /** A stored row deleted after its ack. */
  storedDrained(): void;
  /** A send hit the per-socket buffer cap; uWS closes that socket. */
  backpressureDropped(): void;
  /** A WebSocket closed 1013 at once because the node was at `maxConnections`. */
  connectionCapRejected(): void;
  busCommandReceived(type: NodeCommandType): void;
}

/** For nodes created without a registry: counts nothing, costs nothing. */
export const NO_METRICS: ConnectionMetrics = {
  helloCompleted: () => undefined,
  registered: () => undefined,
  unregistered: () => undefined,
  delivered: () => undefined,
  acked: () => undefined,
  expired: () => undefined,
  storedDrained: () => undefined,
  backpressureDropped: () => undefined,
  connectionCapRejected: () => undefined,
  busCommandReceived: () => undefined,
};

/** Firefox's ack codes (push-protocol.md §2.2); anything else is lumped as `other`. */
const KNOWN_ACK_CODES: ReadonlySet<number> = new Set([100, 101, 102]);

/** Seconds from a notification frame to its ack: a live user agent answers in well under one. */
const ACK_LATENCY_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Declares the connection node's metrics on `registry` (names documented in
 * docs/metrics.md). Call once per registry: prom-client refuses a name registered twice.
 * `connectionsOpen` is read at scrape time.
 */
export function createConnectionMetrics(
  registry: Registry | undefined,
  connectionsOpen: () => number,
): ConnectionMetrics {
  if (registry === undefined) return NO_METRICS;
  const registers = [registry];

  new Gauge({
    name: 'herald_connections_open',
    help: 'WebSockets open on this connection node, identified or not.',
    registers,
    collect() {
      this.set(connectionsOpen());
    },
  });
  const hellos = new Counter({
    name: 'herald_hellos_total',
    help: 'hello frames handled, by outcome: new (fresh uaid), returning (known uaid), rejected (socket closed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const registrations = new Counter({
    name: 'herald_registers_total',
    help: 'register frames answered with status 200.',
    registers,
  });
  const unregistrations = new Counter({
    name: 'herald_unregisters_total',
    help: 'unregister frames answered with status 200.',
    registers,
  });
  const deliveries = new Counter({
    name: 'herald_deliveries_total',
    help: 'notification frames sent, by source: live (from the bus) or stored (from a storage drain).',
    labelNames: ['source'] as const,
    registers,
  });
  const acks = new Counter({
    name: 'herald_acks_total',
    help: 'ack updates received, by client code (100, 101, 102, other, none).',
    labelNames: ['code'] as const,
    registers,
  });
  const ackLatency = new Histogram({
    name: 'herald_ack_latency_seconds',
    help: 'Time from sending a notification frame (TTL > 0) to receiving its ack.',
    buckets: ACK_LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const expired = new Counter({
    name: 'herald_messages_expired_total',
    help: 'Messages dropped at delivery time because their TTL had run out.',
    registers,
  });
  const drained = new Counter({
    name: 'herald_stored_drained_total',
    help: 'Stored messages deleted from storage after their ack.',
    registers,
  });
  const backpressureDrops = new Counter({
    name: 'herald_backpressure_drops_total',
    help: 'Frames refused because a socket exceeded its send buffer; the socket is closed.',
    registers,
  });
  const capRejections = new Counter({
    name: 'herald_connection_cap_rejections_total',
    help: 'WebSockets closed with 1013 because the node had maxConnections open.',
    registers,
  });
  const busCommands = new Counter({
    name: 'herald_bus_commands_received_total',
    help: 'Commands received from the bus, by type.',
    labelNames: ['type'] as const,
    registers,
  });

  return {
    helloCompleted: (outcome) => hellos.inc({ outcome }),
    registered: () => registrations.inc(),
    unregistered: () => unregistrations.inc(),
    delivered: (source) => deliveries.inc({ source }),
    acked(code, latencyMs) {
      acks.inc({ code: ackCodeLabel(code) });
      if (latencyMs !== undefined) ackLatency.observe(Math.max(0, latencyMs) / 1000);
    },
    expired: () => expired.inc(),
    storedDrained: () => drained.inc(),
    backpressureDropped: () => backpressureDrops.inc(),
    connectionCapRejected: () => capRejections.inc(),
    busCommandReceived: (type) => busCommands.inc({ type }),
  };
}

function ackCodeLabel(code: number | undefined): string {
  if (code === undefined) return 'none';
  return KNOWN_ACK_CODES.has(code) ? String(code) : 'other';
}
