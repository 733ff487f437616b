import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import { BusUnavailableError, type Logger, type NodeBus } from '@herald/core';
import { NatsBus } from './nats-bus';
import { createNatsBusMetrics } from './nats-bus-metrics';
import { redactCredentials } from './redact-credentials';
import { DeadlineExceededError, withTimeout } from './with-timeout';

export interface ConnectNatsBusOptions {
  /**
   * NATS URLs (`nats://host:4222`), one or several members of a cluster. The client
   * tries them in random order and also learns the other members the cluster gossips.
   * Credentials in a URL (`nats://user:pass@host`) are never logged.
   */
  readonly servers: readonly string[];
  /** The client name shown by the server's monitoring (`connz`); use the node id. */
  readonly name: string;
  readonly log: Logger;
  /**
   * How long the first connection may take, across every server, before
   * `connectNatsBus` gives up. Default 5000.
   */
  readonly connectTimeoutMs?: number;
  /** Bound on `ping()` and on confirming a subscription. Default 2000. */
  readonly flushTimeoutMs?: number;
  /** Bound on draining at `close()`. Default 5000. */
  readonly drainTimeoutMs?: number;
  /**
   * The process's registry: the bus declares the `herald_nats_*` metrics on it (see
   * `createNatsBusMetrics`). Without one the bus counts nothing.
   */
  readonly registry?: Registry;
  /**
   * With a registry, how often to time a PING round trip into
   * `herald_nats_round_trip_seconds`; 0 disables the samples. Default 15000.
   */
  readonly rttSampleIntervalMs?: number;
}

/** Client pings every 30 s; two unanswered ones mean a dead (half-open) connection. */
const PING_INTERVAL_MS = 30_000;
const MAX_PINGS_OUT = 2;

/**
 * Connects to NATS and returns the {@link NodeBus} over it.
 *
 * The first connection is bounded: it rejects with {@link BusUnavailableError} when no
 * listed server completes the handshake within `connectTimeoutMs`, so a node with a
 * wrong URL fails its start-up instead of waiting forever. A server that refuses the
 * first attempt is skipped (nats.js drops it from the list for this connection;
 * cluster gossip brings live members back). Once connected, the client reconnects
 * forever (`maxReconnectAttempts: -1`, every 2 s plus jitter) and resubscribes; see
 * {@link NatsBus} for what publishing does during an outage.
 */
export async function connectNatsBus(options: ConnectNatsBusOptions): Promise<NodeBus> {
  const { servers, name, log } = options;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const described = servers.map(redactCredentials).join(',');
  if (servers.length === 0) {
    throw new BusUnavailableError('no NATS server configured');
  }
  // Declared before dialling, so a second bus on the same registry fails fast.
  const metrics = options.registry ? createNatsBusMetrics(options.registry) : undefined;
  const attempt = connect({
    servers: [...servers],
    name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: false,
    // Per-dial handshake bound; the overall bound is the race below.
    timeout: connectTimeoutMs,
    pingInterval: PING_INTERVAL_MS,
    maxPingOut: MAX_PINGS_OUT,
  });
  let connection: NatsConnection;
  try {
    connection = await withTimeout(attempt, connectTimeoutMs, 'NATS connect');
  } catch (error) {
    if (error instanceof DeadlineExceededError) {
      // The dial loop is still running: close whatever it produces.
      attempt.then((late) => late.close()).catch(() => undefined);
      throw new BusUnavailableError(
        `no NATS server answered within ${connectTimeoutMs} ms (servers: ${described})`,
        { cause: error },
      );
    }
    throw new BusUnavailableError(
      `could not connect to NATS (servers: ${described}): ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  log.info({ server: redactCredentials(connection.getServer()), name }, 'nats connected');
  return new NatsBus(
    connection,
    log,
    {
      flushTimeoutMs: options.flushTimeoutMs ?? 2_000,
      drainTimeoutMs: options.drainTimeoutMs ?? 5_000,
    },
    metrics ? { metrics, rttSampleIntervalMs: options.rttSampleIntervalMs ?? 15_000 } : {},
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
