import type { Msg, NatsConnection, Status, Subscription } from '@nats-io/transport-node';
import {
  BusUnavailableError,
  encodeNodeCommand,
  parseNodeCommand,
  type BusSubscription,
  type Logger,
  type NodeBus,
  type NodeCommand,
  type NodeCommandHandler,
  type NodeId,
} from '@herald/core';
import { NO_NATS_METRICS, type NatsBusMetrics } from './nats-bus-metrics';
import { redactCredentials } from './redact-credentials';
import { allNodesSubject, nodeSubject } from './subjects';
import { withTimeout } from './with-timeout';

/**
 * Where the connection stands, as last reported by the client's status stream.
 * `reconnecting` covers the whole outage: from the first `disconnect` until `reconnect`.
 */
export type NatsBusState = 'connected' | 'reconnecting' | 'closed';

export interface NatsBusTimeouts {
  /** Bound on `ping()` and on confirming a new subscription with the server. */
  readonly flushTimeoutMs: number;
  /** Bound on draining at `close()`; after it the connection is closed hard. */
  readonly drainTimeoutMs: number;
}

/** How the bus reports on itself; both parts are optional. */
export interface NatsBusObservation {
  readonly metrics?: NatsBusMetrics;
  /**
   * Every this many milliseconds, while connected, the bus times a PING round trip into
   * `metrics.roundTrip`, so the round-trip histogram fills even when nothing calls
   * `ping()`. 0 or absent: only `ping()` and subscription confirmations are timed.
   */
  readonly rttSampleIntervalMs?: number;
}

const encoder = new TextEncoder();

/**
 * The {@link NodeBus} over one NATS connection (see `connectNatsBus`).
 *
 * - Delivery is at most once, in publish order per publishing connection (NATS
 *   preserves the order of one client's messages towards each subscriber).
 * - `publish` resolves once the command is in the client's outbound buffer, and rejects
 *   with {@link BusUnavailableError} whenever the connection is not up. While the
 *   client reconnects it would accept the bytes, but nats.js discards its outbound
 *   buffer when it dials again, so "accepting" them would be a silent loss; an
 *   immediate rejection lets the caller log it and rely on storage instead.
 * - Subscriptions outlive server restarts and fail-overs: the client re-sends every
 *   SUB after reconnecting. Commands published while a node was disconnected are lost
 *   (they are optimisations over storage; the user agent drains on its next `hello`);
 *   `onReconnect` listeners run after each reconnect so a node can re-check storage.
 * - A message that does not parse as a command is dropped and logged without its
 *   contents; a handler that throws is logged and does not stop the subscription.
 */
export class NatsBus implements NodeBus {
  #state: NatsBusState = 'connected';
  #closing: Promise<void> | undefined;
  readonly #reconnectListeners = new Set<() => void>();
  readonly #watching: Promise<void>;
  readonly #metrics: NatsBusMetrics;
  readonly #rttSampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: NatsConnection,
    private readonly log: Logger,
    private readonly timeouts: NatsBusTimeouts,
    observation: NatsBusObservation = {},
  ) {
    this.#metrics = observation.metrics ?? NO_NATS_METRICS;
    this.#metrics.stateChanged(this.#state);
    this.#watching = this.#watchStatus();
    void connection.closed().then((error) => this.#onClosed(error));
    const intervalMs = observation.rttSampleIntervalMs ?? 0;
    if (intervalMs > 0) {
      this.#rttSampler = setInterval(() => this.#sampleRoundTrip(), intervalMs);
      // A sample is never a reason to keep the process alive.
      this.#rttSampler.unref();
    }
  }

  /** The connection's state, for health checks and tests. */
  get state(): NatsBusState {
    return this.#state;
  }

  async listen(nodeId: NodeId, handler: NodeCommandHandler): Promise<BusSubscription> {
    return this.#subscribe(nodeSubject(nodeId), handler);
  }

  async listenToAll(handler: NodeCommandHandler): Promise<BusSubscription> {
    return this.#subscribe(allNodesSubject(), handler);
  }

  publish(nodeId: NodeId, command: NodeCommand): Promise<void> {
    return this.#send(() => nodeSubject(nodeId), command);
  }

  publishToAll(command: NodeCommand): Promise<void> {
    return this.#send(allNodesSubject, command);
  }

  async ping(): Promise<void> {
    try {
      this.#assertConnected('ping');
    } catch (error) {
      this.#metrics.error('ping');
      throw error;
    }
    try {
      await this.#roundTrip();
    } catch (error) {
      throw new BusUnavailableError('NATS did not answer a ping', { cause: error });
    }
  }

  /**
   * Calls `listener` after every reconnect, once the client has re-sent its
   * subscriptions; never for the first connection. A listener that throws is logged.
   */
  onReconnect(listener: () => void): void {
    this.#reconnectListeners.add(listener);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#rttSampler);
    const wasConnected = this.#state === 'connected';
    this.#setState('closed');
    if (wasConnected && !this.connection.isClosed()) {
      try {
        // drain: unsubscribe, deliver what already arrived, flush our publishes, close.
        await withTimeout(this.connection.drain(), this.timeouts.drainTimeoutMs, 'NATS drain');
      } catch (error) {
        this.log.warn({ err: error }, 'nats drain did not finish; closing the connection');
        await this.connection.close();
      }
    } else if (!this.connection.isClosed()) {
      // Nothing can be flushed without a server, and a drain would wait for one.
      await this.connection.close();
    }
    await this.#watching;
  }

  /** Synchronous underneath (the client only buffers); every failure becomes a rejection. */
  #send(subjectOf: () => string, command: NodeCommand): Promise<void> {
    try {
      const subject = subjectOf();
      this.#assertConnected('publish');
      this.#write(subject, command);
      this.#metrics.published(command.type, 'ok');
      return Promise.resolve();
    } catch (error) {
      this.#metrics.published(command.type, 'error');
      this.#metrics.error('publish');
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #write(subject: string, command: NodeCommand): void {
    try {
      this.connection.publish(subject, encoder.encode(encodeNodeCommand(command)));
    } catch (error) {
      // ClosedConnectionError / DrainingConnectionError: the connection went away
      // between our state check and the write.
      throw new BusUnavailableError('NATS connection cannot publish', { cause: error });
    }
  }

  #assertConnected(operation: string): void {
    if (this.#state !== 'connected') {
      throw new BusUnavailableError(`NATS bus is ${this.#state}: cannot ${operation}`);
    }
  }

  async #subscribe(subject: string, handler: NodeCommandHandler): Promise<BusSubscription> {
    if (this.#state === 'closed' || this.connection.isClosed() || this.connection.isDraining()) {
      throw new BusUnavailableError('NATS bus is closed: cannot listen');
    }
    let open = true;
    const subscription = this.connection.subscribe(subject, {
      callback: (error, message) => {
        if (!open) return;
        if (error) {
          this.#metrics.error('connection');
          this.log.warn({ err: error, subject }, 'nats subscription error');
          return;
        }
        this.#receive(subject, message, handler);
      },
    });
    await this.#confirmSubscription(subject);
    return {
      close: () => {
        if (open) {
          open = false;
          unsubscribeQuietly(subscription);
        }
        return Promise.resolve();
      },
    };
  }

  /**
   * Resolves once the server has processed our SUB (a PING after it came back), so a
   * command published by anyone after `listen` resolves is delivered. While
   * reconnecting there is no server to confirm with; the client sends the SUB when it
   * reconnects, which is as good as it gets.
   */
  async #confirmSubscription(subject: string): Promise<void> {
    if (this.#state !== 'connected') return;
    try {
      await this.#roundTrip();
    } catch (error) {
      this.log.warn({ err: error, subject }, 'nats did not confirm a subscription in time');
    }
  }

  /** One PING → PONG, bounded by `flushTimeoutMs`, timed into the round-trip histogram. */
  async #roundTrip(): Promise<void> {
    const startedAtMs = performance.now();
    try {
      await withTimeout(this.connection.flush(), this.timeouts.flushTimeoutMs, 'NATS flush');
    } catch (error) {
      this.#metrics.error('ping');
      throw error;
    }
    this.#metrics.roundTrip((performance.now() - startedAtMs) / 1000);
  }

  #sampleRoundTrip(): void {
    // During an outage the state gauge already says it all; a failed sample per tick
    // would only inflate the error count.
    if (this.#state !== 'connected') return;
    this.#roundTrip().catch((error: unknown) => {
      this.log.debug({ err: error }, 'nats round-trip sample failed');
    });
  }

  #receive(subject: string, message: Msg, handler: NodeCommandHandler): void {
    let command: NodeCommand | undefined;
    try {
      command = parseNodeCommand(message.string());
    } catch {
      command = undefined;
    }
    if (command === undefined) {
      this.#metrics.error('receive');
      // Never the payload: it may hold a user's notification.
      this.log.warn({ subject, sizeBytes: message.data.length }, 'dropped a malformed bus command');
      return;
    }
    this.#metrics.received(command.type);
    try {
      handler(command);
    } catch (error) {
      this.#metrics.error('handler');
      this.log.error(
        { err: error, subject, commandType: command.type },
        'bus command handler threw',
      );
    }
  }

  async #watchStatus(): Promise<void> {
    // The iterator ends when the connection closes.
    for await (const status of this.connection.status()) {
      this.#onStatus(status);
    }
  }

  #onStatus(status: Status): void {
    switch (status.type) {
      case 'disconnect':
        if (this.#state !== 'closed') this.#setState('reconnecting');
        this.log.warn(
          { server: redactCredentials(status.server) },
          'nats disconnected; reconnecting',
        );
        return;
      case 'reconnect':
        if (this.#state !== 'closed') this.#setState('connected');
        this.#metrics.reconnected();
        this.log.info({ server: redactCredentials(status.server) }, 'nats reconnected');
        this.#notifyReconnected();
        return;
      case 'reconnecting':
        this.log.debug({}, 'nats trying to reconnect');
        return;
      case 'staleConnection':
        this.log.warn({}, 'nats connection stale (pings unanswered); reconnecting');
        return;
      case 'forceReconnect':
        this.log.info({}, 'nats reconnect forced');
        return;
      case 'ldm':
        // Lame duck mode: the server is shutting down and will move us elsewhere.
        this.log.info(
          { server: redactCredentials(status.server) },
          'nats server entering lame duck mode',
        );
        return;
      case 'update':
        // Sent on every (re)connect; only worth an info line when membership changed.
        if ((status.added?.length ?? 0) + (status.deleted?.length ?? 0) > 0) {
          this.log.info({ added: status.added, deleted: status.deleted }, 'nats cluster changed');
        }
        return;
      case 'error':
        this.#metrics.error('connection');
        this.log.warn({ err: status.error }, 'nats reported an error');
        return;
      case 'slowConsumer':
        this.#metrics.error('connection');
        this.log.warn(
          { subject: status.sub.getSubject(), pending: status.pending },
          'nats slow consumer',
        );
        return;
      case 'ping':
      case 'close':
        return;
      default:
        assertNever(status);
    }
  }

  #notifyReconnected(): void {
    for (const listener of this.#reconnectListeners) {
      try {
        listener();
      } catch (error) {
        this.log.error({ err: error }, 'bus reconnect listener threw');
      }
    }
  }

  #setState(state: NatsBusState): void {
    this.#state = state;
    this.#metrics.stateChanged(state);
  }

  #onClosed(error: void | Error): void {
    clearInterval(this.#rttSampler);
    const expected = this.#state === 'closed';
    this.#setState('closed');
    if (!expected) {
      // With unlimited reconnects this only happens on fatal errors (auth, protocol).
      this.log.error({ err: error }, 'nats connection closed unexpectedly');
    }
  }
}

function unsubscribeQuietly(subscription: Subscription): void {
  try {
    subscription.unsubscribe();
  } catch {
    // The connection is already closed or draining: the subscription is gone with it.
  }
}

function assertNever(value: never): void {
  void value;
}
