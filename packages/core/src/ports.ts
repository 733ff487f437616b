import type {
  Broadcasts,
  ChannelId,
  MessageId,
  NodeId,
  Notification,
  RouterRecord,
  Uaid,
} from './model';
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- named in TSDoc links
import type { BusUnavailableError, StorageUnavailableError } from './errors';
import type { NodeCommand } from './bus-command';

/**
 * Where messages wait until their user agent acks them. Implementations: DynamoDB
 * (`@herald/storage-dynamodb`) and memory (`MemoryMessageStore`, for unit tests);
 * both pass the shared contract suite in `@herald/testkit`.
 *
 * Failures reject with {@link StorageUnavailableError}; nothing else escapes.
 */
export interface MessageStore {
  /**
   * Makes the notification durable. Resolves only once a later `fetch` on any node will
   * see it. A notification whose `storageKey` equals an existing one (same channel and
   * topic) replaces it entirely. Must not be called with `ttlSeconds === 0`.
   */
  save(notification: Notification): Promise<void>;

  /**
   * Up to `limit` unexpired notifications for `uaid`: topic messages first, then the
   * others in arrival order (ascending `storageKey`). Expired rows are never returned
   * even if the database has not yet deleted them.
   */
  fetch(uaid: Uaid, options: { limit: number; nowMs: number }): Promise<Notification[]>;

  /**
   * Deletes the row at `storageKey` only if it still holds `messageId`, so acking or
   * cancelling a topic message never deletes the newer message that replaced it.
   * Idempotent: deleting a missing row succeeds.
   */
  delete(uaid: Uaid, storageKey: string, messageId: MessageId): Promise<void>;

  /** Deletes every row of `uaid` (uaid reset). Idempotent. */
  deleteAll(uaid: Uaid): Promise<void>;
}

/** The outcome of a `hello` for a known uaid trying to take ownership. */
export type ClaimOutcome =
  /** This connection now owns the uaid; `previous` is who owned it before. */
  | { readonly kind: 'claimed'; readonly record: RouterRecord; readonly previous: Owner }
  /** No record: the client must get a fresh uaid. */
  | { readonly kind: 'unknown' }
  /** A newer connection already owns the uaid (its `connectedAtMs` is later). */
  | { readonly kind: 'superseded' };

/** A node and the moment its connection took the uaid. */
export interface Owner {
  readonly nodeId: NodeId;
  readonly connectedAtMs: number;
}

/**
 * uaid → owning node and registered channels. Failures reject with
 * {@link StorageUnavailableError}.
 */
export interface RouterStore {
  /** The record, or `undefined` when the uaid is unknown (never registered, or reset). */
  get(uaid: Uaid): Promise<RouterRecord | undefined>;

  /**
   * Takes ownership of an existing record for `owner`, conditionally: it succeeds only if
   * the stored `connectedAtMs` is older than `owner.connectedAtMs`, so a newer connection
   * always wins whatever order the writes land in. Also refreshes `lastSeenMs`.
   */
  claim(uaid: Uaid, owner: Owner): Promise<ClaimOutcome>;

  /**
   * Adds a channel, creating the record (owned by `owner`) if the uaid is new — new user
   * agents are written lazily, at their first registration, as autopush does. Idempotent.
   */
  addChannel(uaid: Uaid, channelId: ChannelId, owner: Owner): Promise<void>;

  /** Removes a channel; resolves `true` if it was registered. Idempotent. */
  removeChannel(uaid: Uaid, channelId: ChannelId): Promise<boolean>;

  /** Deletes the record (uaid reset). Idempotent. */
  remove(uaid: Uaid): Promise<void>;
}

/** Receives commands addressed to this node. Must not throw; errors are logged by the bus. */
export type NodeCommandHandler = (command: NodeCommand) => void;

/** An open subscription to a node's inbox. */
export interface BusSubscription {
  /** Stops delivery to the handler, after in-flight commands are handled. */
  close(): Promise<void>;
}

/**
 * Node-to-node commands, at most once, in publish order per (publisher, node) pair.
 * Implementations: in-process (`InProcessBus`, for `herald dev`) and NATS
 * (`@herald/bus-nats`); both pass the shared contract suite in `@herald/testkit`.
 *
 * Delivery is best-effort by design: every command is an optimisation over storage
 * (a lost `deliver` is drained at the next `hello`), so callers never retry.
 */
export interface NodeBus {
  /** Delivers commands addressed to `nodeId` to `handler` until the subscription closes. */
  listen(nodeId: NodeId, handler: NodeCommandHandler): Promise<BusSubscription>;

  /**
   * Sends a command to `nodeId`. Resolves when handed to the transport; rejects with
   * {@link BusUnavailableError} when the bus cannot take it. No acknowledgement from the
   * receiving node is awaited.
   */
  publish(nodeId: NodeId, command: NodeCommand): Promise<void>;

  /** Announces to every node (broadcast version changes). Same failure rule as `publish`. */
  publishToAll(command: NodeCommand): Promise<void>;

  /** Delivers commands published with `publishToAll` to `handler`. */
  listenToAll(handler: NodeCommandHandler): Promise<BusSubscription>;

  /** Round-trips to the transport; rejects with {@link BusUnavailableError} when down. */
  ping(): Promise<void>;

  /**
   * Calls `listener` each time the transport is back after an outage. Commands
   * published meanwhile may have been lost, so a connection node re-checks storage for
   * the user agents it holds. The in-process bus never calls it.
   */
  onReconnect(listener: () => void): void;

  /** Flushes pending publishes and closes every subscription. Idempotent. */
  close(): Promise<void>;
}

/** Wall-clock time, injectable so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Structured logging: a constant message and its context as fields (pino's shape). */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): Logger;
}

/**
 * Broadcast (megaphone) versions: id → opaque version string, shared by every node.
 * Failures reject with {@link StorageUnavailableError}.
 */
export interface BroadcastStore {
  /** Every broadcast id and its current version. */
  list(): Promise<Broadcasts>;
  /** Sets one id's version (creating the id). Idempotent. */
  set(broadcastId: string, version: string): Promise<void>;
}
