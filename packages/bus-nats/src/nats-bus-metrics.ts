import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { NodeCommandType } from '@herald/core';
import type { NatsBusState } from './nats-bus';

/**
 * Where a bus operation failed:
 *
 * - `publish`: a command refused because the connection was not up (or went away);
 * - `receive`: a message on a Herald subject that did not parse as a command;
 * - `handler`: a node's handler threw while handling a command;
 * - `ping`: a round trip (`ping()`, a subscription confirmation or an RTT sample) that
 *   failed or timed out;
 * - `connection`: an error the client reported asynchronously (server errors, slow
 *   consumer, a subscription error).
 */
export type NatsErrorOperation = 'publish' | 'receive' | 'handler' | 'ping' | 'connection';

/**
 * What the NATS bus counts. Every method is cheap and synchronous. Labels are small
 * fixed sets (a command type, a result, an operation, a state): never a node id,
 * subject or uaid.
 */
export interface NatsBusMetrics {
  published(type: NodeCommandType, result: 'ok' | 'error'): void;
  received(type: NodeCommandType): void;
  error(operation: NatsErrorOperation): void;
  stateChanged(state: NatsBusState): void;
  reconnected(): void;
  /** One completed round trip to the server (PING → PONG), in seconds. */
  roundTrip(seconds: number): void;
}

/** For buses created without a registry: counts nothing, costs nothing. */
export const NO_NATS_METRICS: NatsBusMetrics = {
  published: () => undefined,
  received: () => undefined,
  error: () => undefined,
  stateChanged: () => undefined,
  reconnected: () => undefined,
  roundTrip: () => undefined,
};

const STATES: readonly NatsBusState[] = ['connected', 'reconnecting', 'closed'];

/** A PONG on a LAN comes back in well under a millisecond; seconds mean trouble. */
const ROUND_TRIP_BUCKETS_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
];

/**
 * Declares the NATS bus metrics on `registry` (docs/metrics.md lists them). Declaring
 * needs no connection, so the metrics page can be generated offline. Call once per
 * registry: prom-client refuses a name registered twice.
 *
 * They describe the transport as seen by this process, every command type and both
 * directions. The node-level counters `herald_bus_publish_total` (endpoint) and
 * `herald_bus_commands_received_total` (connection node) count the same traffic from
 * the node's side and exist with the in-process bus too.
 */
export function createNatsBusMetrics(registry: Registry): NatsBusMetrics {
  const registers = [registry];
  const published = new Counter({
    name: 'herald_nats_messages_published_total',
    help: 'Commands this process published on NATS, by command type and result (error: the connection was not up; also counted in herald_nats_errors_total{operation="publish"}).',
    labelNames: ['type', 'result'] as const,
    registers,
  });
  const received = new Counter({
    name: 'herald_nats_messages_received_total',
    help: 'Commands this process received from NATS and parsed, by command type.',
    labelNames: ['type'] as const,
    registers,
  });
  const errors = new Counter({
    name: 'herald_nats_errors_total',
    help: 'NATS bus failures, by operation: publish, receive (malformed message), handler, ping, connection (asynchronous client errors).',
    labelNames: ['operation'] as const,
    registers,
  });
  const state = new Gauge({
    name: 'herald_nats_connection_state',
    help: 'The NATS connection state: 1 for the current state (connected, reconnecting, closed), 0 for the others.',
    labelNames: ['state'] as const,
    registers,
  });
  const reconnects = new Counter({
    name: 'herald_nats_reconnects_total',
    help: 'Times the NATS client reconnected after losing its server.',
    registers,
  });
  const roundTrip = new Histogram({
    name: 'herald_nats_round_trip_seconds',
    help: 'NATS PING/PONG round trips: health-check pings, subscription confirmations and periodic samples.',
    buckets: ROUND_TRIP_BUCKETS_SECONDS,
    registers,
  });

  // Bound children: resolving labels on every publish costs a hash each time.
  const publishedChildren = new Map<string, Counter.Internal>();
  const receivedChildren = new Map<string, Counter.Internal>();
  return {
    published(type, result) {
      const key = `${type}:${result}`;
      let child = publishedChildren.get(key);
      if (child === undefined) {
        child = published.labels({ type, result });
        publishedChildren.set(key, child);
      }
      child.inc();
    },
    received(type) {
      let child = receivedChildren.get(type);
      if (child === undefined) {
        child = received.labels({ type });
        receivedChildren.set(type, child);
      }
      child.inc();
    },
    error: (operation) => errors.inc({ operation }),
    stateChanged(current) {
      for (const each of STATES) state.set({ state: each }, each === current ? 1 : 0);
    },
    reconnected: () => reconnects.inc(),
    roundTrip: (seconds) => roundTrip.observe(seconds),
  };
}
