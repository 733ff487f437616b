/**
 * The domain's values. Identifiers are branded strings so a channel id can never be
 * passed where a uaid is expected; they are created only by the parsers in `ids.ts`.
 */

/** A user agent id: 32 lowercase hex characters (a UUIDv4 without dashes). */
export type Uaid = string & { readonly __brand: 'Uaid' };

/** A channel (subscription) id: a lowercase, dashed UUID, exactly as Firefox sends it. */
export type ChannelId = string & { readonly __brand: 'ChannelId' };

/** A connection node's id on the bus: `[A-Za-z0-9_-]{1,64}`. */
export type NodeId = string & { readonly __brand: 'NodeId' };

/** A sealed message id: the `version` on the WebSocket and the `{id}` in `/m/{id}`. */
export type MessageId = string & { readonly __brand: 'MessageId' };

/** RFC 8030 §5.3 urgency; kept with the message (autopush ignores it). */
export type Urgency = 'very-low' | 'low' | 'normal' | 'high';

/**
 * The encryption headers forwarded to the user agent inside a `notification` frame,
 * already cleaned: quotes removed and base64 padding stripped (push-protocol.md §2.6).
 */
export interface NotificationHeaders {
  readonly encoding: 'aes128gcm' | 'aesgcm';
  readonly encryption?: string;
  readonly crypto_key?: string;
}

/**
 * One push message, as accepted by an endpoint node, stored, carried over the bus and
 * delivered by a connection node. The same value flows through every layer.
 */
export interface Notification {
  readonly uaid: Uaid;
  readonly channelId: ChannelId;
  /** The sealed id; also the frame's `version`. Stable across redeliveries. */
  readonly messageId: MessageId;
  /**
   * The message table's sort key. `01:{channelId}:{topic}` for topic messages (a newer
   * one replaces an older one), `02:{receivedAtUs}:{channelId}` otherwise (arrival order).
   */
  readonly storageKey: string;
  readonly topic?: string;
  /** Effective TTL after clamping; 0 means "deliver now or never", never stored. */
  readonly ttlSeconds: number;
  /** When the endpoint accepted it, in ms since the epoch. */
  readonly receivedAtMs: number;
  readonly urgency: Urgency;
  /** The raw request body as base64url without padding; absent for an empty body. */
  readonly data?: string;
  /** Present exactly when `data` is present. */
  readonly headers?: NotificationHeaders;
}

/** The notification has expired when `nowMs >= receivedAtMs + ttlSeconds * 1000`. */
export function isExpired(notification: Notification, nowMs: number): boolean {
  return nowMs >= notification.receivedAtMs + notification.ttlSeconds * 1000;
}

/** The router record: which node holds a user agent's socket, and its channels. */
export interface RouterRecord {
  readonly uaid: Uaid;
  /** The node that last accepted a `hello` for this uaid. Not cleared on disconnect. */
  readonly nodeId: NodeId;
  /** When that `hello` happened (ms). A newer connection always wins. */
  readonly connectedAtMs: number;
  readonly channelIds: ReadonlySet<ChannelId>;
  /** Last `hello` or registration change (ms); drives the record's expiry. */
  readonly lastSeenMs: number;
}

/** Broadcast id → opaque version string (megaphone). */
export type Broadcasts = Readonly<Record<string, string>>;
