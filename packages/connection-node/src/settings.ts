/**
 * Tunables of a connection node. Every field has a default (spec "Composition entry
 * points"); callers pass a partial and {@link resolveConnectionSettings} fills the rest.
 */
export interface ConnectionSettings {
  /** A socket that has not sent `hello` within this long is closed (1011 HandshakeTimeout). */
  readonly helloTimeoutMs: number;
  /**
   * uWS closes a socket that neither sent nor received anything for this long; with
   * automatic pings on, a live client always answers, so only dead peers time out.
   */
  readonly idleTimeoutSeconds: number;
  /** Largest accepted WebSocket message; bigger ones close the socket (uWS). */
  readonly maxFrameBytes: number;
  /**
   * More than this many stored messages sent in one drain resets the uaid (autopush's
   * `msg_limit`): the client is too far behind to catch up message by message.
   */
  readonly messageLimitPerDrain: number;
  /** Stored messages fetched and sent per batch; the next batch waits for every ack. */
  readonly drainBatchSize: number;
  /** A client `{}` ping sooner than this after the previous accepted one closes 4774. */
  readonly clientPingMinIntervalMs: number;
  /**
   * Open sockets at which new WebSocket upgrades are accepted and closed at once with
   * 1013 "Try Again Later" (Firefox retries with backoff). 0 = unlimited.
   */
  readonly maxConnections: number;
  /** How often broadcast versions are re-read from the broadcast store; 0 = only at start. */
  readonly broadcastPollMs: number;
  /**
   * Storage calls the node has in flight at once; the rest wait in arrival order. A
   * reconnect storm then costs latency, not failed hellos. Keep it at or below the
   * storage client's connection pool.
   */
  readonly storageConcurrency: number;
  /**
   * Attempts at a storage call that decides whether a client stays connected (the claim
   * at `hello`, a drain's fetch) before the socket is closed 1011; at least 1.
   */
  readonly storageAttempts: number;
  /** Wait before the second attempt; it doubles for each later one. */
  readonly storageRetryMs: number;
  /**
   * How long the delete of a live push's row waits after its ack for other deletes to
   * join it in one storage request (see `DeferredDeletes`); 0 = delete at once. Deletes
   * a storage drain waits for are never held.
   */
  readonly ackDeleteWindowMs: number;
}

export const DEFAULT_CONNECTION_SETTINGS: ConnectionSettings = {
  helloTimeoutMs: 10_000,
  idleTimeoutSeconds: 300,
  maxFrameBytes: 65_536,
  messageLimitPerDrain: 150,
  drainBatchSize: 10,
  clientPingMinIntervalMs: 45_000,
  maxConnections: 0,
  broadcastPollMs: 30_000,
  storageConcurrency: 64,
  storageAttempts: 3,
  storageRetryMs: 200,
  ackDeleteWindowMs: 100,
};

/** Fills defaults and rejects values that would make the node misbehave silently. */
export function resolveConnectionSettings(
  overrides: Partial<ConnectionSettings> = {},
): ConnectionSettings {
  const settings: { -readonly [K in keyof ConnectionSettings]: number } = {
    ...DEFAULT_CONNECTION_SETTINGS,
  };
  for (const [name, value] of Object.entries(overrides) as [keyof ConnectionSettings, unknown][]) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`connection setting ${name} must be a non-negative number`);
    }
    settings[name] = value;
  }
  if (settings.drainBatchSize < 1) throw new RangeError('drainBatchSize must be at least 1');
  // uWS aborts the whole process (not a catchable error) on an idle timeout of 1–7 s.
  if (settings.idleTimeoutSeconds !== 0 && settings.idleTimeoutSeconds < 8) {
    throw new RangeError('idleTimeoutSeconds must be 0 (off) or at least 8');
  }
  if (settings.maxFrameBytes < 1024) throw new RangeError('maxFrameBytes must be at least 1024');
  for (const name of ['storageConcurrency', 'storageAttempts'] as const) {
    if (!Number.isInteger(settings[name]) || settings[name] < 1) {
      throw new RangeError(`${name} must be a whole number of at least 1`);
    }
  }
  if (!Number.isInteger(settings.maxConnections)) {
    throw new RangeError('maxConnections must be a whole number (0 = unlimited)');
  }
  return settings;
}
