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

/** Every bus command type, one series each. */
const NODE_COMMAND_TYPES = Object.keys({
  deliver: true,
  'check-storage': true,
  disconnect: true,
  'broadcasts-changed': true,
} satisfies Record<NodeCommandType, true>) as NodeCommandType[];

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
  // Hot-path counts are plain numbers copied into prom-client when it is scraped: an
  // `inc` with labels hashes and validates them on every call, a cost per push.
  const counter = (name: string, help: string): ScrapedTally =>
    new ScrapedTally({ name, help, registers });
  const labelled = <L extends string>(
    name: string,
    help: string,
    label: string,
    values: readonly L[],
  ): LabelledTally<L> => new LabelledTally({ name, help, registers }, label, values);

  const hellos = labelled(
    'herald_hellos_total',
    'hello frames handled, by outcome: new (fresh uaid), returning (known uaid), rejected (socket closed).',
    'outcome',
    ['new', 'returning', 'rejected'],
  );
  const registrations = counter(
    'herald_registers_total',
    'register frames answered with status 200.',
  );
  const unregistrations = counter(
    'herald_unregisters_total',
    'unregister frames answered with status 200.',
  );
  const deliveries = labelled(
    'herald_deliveries_total',
    'notification frames sent, by source: live (from the bus) or stored (from a storage drain).',
    'source',
    ['live', 'stored'],
  );
  const acks = labelled(
    'herald_acks_total',
    'ack updates received, by client code (100, 101, 102, other, none).',
    'code',
    ['100', '101', '102', 'other', 'none'],
  );
  const ackLatency = new Histogram({
    name: 'herald_ack_latency_seconds',
    help: 'Time from sending a notification frame (TTL > 0) to receiving its ack.',
    buckets: ACK_LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const expired = counter(
    'herald_messages_expired_total',
    'Messages dropped at delivery time because their TTL had run out.',
  );
  const drained = counter(
    'herald_stored_drained_total',
    'Stored messages deleted from storage after their ack.',
  );
  const backpressureDrops = counter(
    'herald_backpressure_drops_total',
    'Frames refused because a socket exceeded its send buffer; the socket is closed.',
  );
  const capRejections = counter(
    'herald_connection_cap_rejections_total',
    'WebSockets closed with 1013 because the node had maxConnections open.',
  );
  const busCommands = labelled(
    'herald_bus_commands_received_total',
    'Commands received from the bus, by type.',
    'type',
    NODE_COMMAND_TYPES,
  );

  return {
    helloCompleted: (outcome) => hellos.add(outcome),
    registered: () => registrations.add(),
    unregistered: () => unregistrations.add(),
    delivered: (source) => deliveries.add(source),
    acked(code, latencyMs) {
      acks.add(ackCodeLabel(code));
      if (latencyMs !== undefined) ackLatency.observe(Math.max(0, latencyMs) / 1000);
    },
    expired: () => expired.add(),
    storedDrained: () => drained.add(),
    backpressureDropped: () => backpressureDrops.add(),
    connectionCapRejected: () => capRejections.add(),
    busCommandReceived: (type) => busCommands.add(type),
  };
}

interface CounterNaming {
  readonly name: string;
  readonly help: string;
  readonly registers: Registry[];
}

/** A label-less counter counted in a number and copied into prom-client at each scrape. */
class ScrapedTally {
  private count = 0;

  constructor(naming: CounterNaming) {
    const read = (): number => this.count;
    new Counter({
      ...naming,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  add(): void {
    this.count += 1;
  }
}

/**
 * A counter with one label of a fixed set of values, counted in numbers and copied into
 * prom-client at each scrape. A series appears once its value was first counted.
 */
class LabelledTally<L extends string> {
  private readonly counts = new Map<L, number>();

  constructor(naming: CounterNaming, label: string, values: readonly L[]) {
    for (const value of values) this.counts.set(value, 0);
    const counts = this.counts;
    new Counter({
      ...naming,
      labelNames: [label],
      collect() {
        this.reset();
        for (const [value, count] of counts) if (count > 0) this.inc({ [label]: value }, count);
      },
    });
  }

  add(value: L): void {
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
  }
}

type AckCodeLabel = '100' | '101' | '102' | 'other' | 'none';

function ackCodeLabel(code: number | undefined): AckCodeLabel {
  if (code === undefined) return 'none';
  return KNOWN_ACK_CODES.has(code) ? (String(code) as AckCodeLabel) : 'other';
}
