import { isUaid, parseChannelId, parseNodeId } from './ids';
import type {
  Broadcasts,
  MessageId,
  NodeId,
  Notification,
  NotificationHeaders,
  Uaid,
  Urgency,
} from './model';
import type { Owner } from './ports';

/**
 * Commands one node sends another over the bus (design.md §2). Parsed at the edge by
 * `parseNodeCommand`; inner code receives only these shapes.
 */
export type NodeCommand =
  /**
   * A push for a user agent this node is believed to hold. Carries the whole
   * notification so the node never re-reads storage for a live push. `hops` counts
   * forwards: a node that no longer owns the uaid forwards it once to the new owner.
   */
  | { readonly type: 'deliver'; readonly notification: Notification; readonly hops: number }
  /** Something was stored for `uaid` that the live path may have missed: drain again. */
  | { readonly type: 'check-storage'; readonly uaid: Uaid }
  /**
   * A newer connection for `uaid` was accepted by `newOwner`; close the socket whose
   * connection is older than `newOwner.connectedAtMs`.
   */
  | { readonly type: 'disconnect'; readonly uaid: Uaid; readonly newOwner: Owner }
  /** Broadcast versions changed (sent with `publishToAll`). */
  | { readonly type: 'broadcasts-changed'; readonly broadcasts: Broadcasts };

export type NodeCommandType = NodeCommand['type'];
export type { NodeId };

/**
 * The wire form of a command: JSON text. Commands are plain data, so this is
 * `JSON.stringify`; optional fields that are `undefined` are simply omitted.
 */
export function encodeNodeCommand(c: NodeCommand): string {
  return JSON.stringify(c);
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** base64url characters only: message ids and data are spliced unescaped into frames. */
const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;
const URGENCIES: ReadonlySet<string> = new Set<Urgency>(['very-low', 'low', 'normal', 'high']);

function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** Times in ms: an injected test clock may return fractions. */
function isTimeMs(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

function parseHeaders(x: unknown): NotificationHeaders | undefined {
  if (!isObject(x)) return undefined;
  const { encoding, encryption, crypto_key } = x;
  if (encoding !== 'aes128gcm' && encoding !== 'aesgcm') return undefined;
  if (encryption !== undefined && typeof encryption !== 'string') return undefined;
  if (crypto_key !== undefined && typeof crypto_key !== 'string') return undefined;
  const headers: { encoding: 'aes128gcm' | 'aesgcm'; encryption?: string; crypto_key?: string } = {
    encoding,
  };
  if (encryption !== undefined) headers.encryption = encryption;
  if (crypto_key !== undefined) headers.crypto_key = crypto_key;
  return headers;
}

function parseNotification(x: unknown): Notification | undefined {
  if (!isObject(x)) return undefined;
  const {
    uaid,
    channelId,
    messageId,
    storageKey,
    topic,
    ttlSeconds,
    receivedAtMs,
    urgency,
    data,
    headers,
  } = x;
  if (!isUaid(uaid)) return undefined;
  const channel = parseChannelId(channelId);
  if (channel === undefined) return undefined;
  if (typeof messageId !== 'string' || messageId === '' || !BASE64URL_TEXT.test(messageId))
    return undefined;
  if (typeof storageKey !== 'string' || storageKey === '') return undefined;
  if (topic !== undefined && typeof topic !== 'string') return undefined;
  if (!isNonNegativeInteger(ttlSeconds) || !isTimeMs(receivedAtMs)) return undefined;
  if (typeof urgency !== 'string' || !URGENCIES.has(urgency)) return undefined;
  const n: {
    -readonly [K in keyof Notification]: Notification[K];
  } = {
    uaid,
    channelId: channel,
    messageId: messageId as MessageId,
    storageKey,
    ttlSeconds,
    receivedAtMs,
    urgency: urgency as Urgency,
  };
  if (topic !== undefined) n.topic = topic;
  // `data` and `headers` come together or not at all (model.ts).
  if (data !== undefined || headers !== undefined) {
    if (typeof data !== 'string' || !BASE64URL_TEXT.test(data)) return undefined;
    const parsedHeaders = parseHeaders(headers);
    if (parsedHeaders === undefined) return undefined;
    n.data = data;
    n.headers = parsedHeaders;
  }
  return n;
}

function parseBroadcasts(x: unknown): Broadcasts | undefined {
  if (!isObject(x)) return undefined;
  for (const key in x) if (typeof x[key] !== 'string') return undefined;
  return x as Broadcasts;
}

/**
 * Parses a command received from the bus, validating every field (a foreign or older
 * node may publish anything). `undefined` for malformed input; never throws.
 */
export function parseNodeCommand(text: string): NodeCommand | undefined {
  let c: unknown;
  try {
    c = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(c)) return undefined;
  switch (c['type']) {
    case 'deliver': {
      const notification = parseNotification(c['notification']);
      const hops = c['hops'];
      if (notification === undefined || !isNonNegativeInteger(hops)) return undefined;
      return { type: 'deliver', notification, hops };
    }
    case 'check-storage': {
      const uaid = c['uaid'];
      return isUaid(uaid) ? { type: 'check-storage', uaid } : undefined;
    }
    case 'disconnect': {
      const uaid = c['uaid'];
      const owner = c['newOwner'];
      if (!isUaid(uaid) || !isObject(owner)) return undefined;
      const nodeId = parseNodeId(owner['nodeId']);
      const connectedAtMs = owner['connectedAtMs'];
      if (nodeId === undefined || !isTimeMs(connectedAtMs)) return undefined;
      return { type: 'disconnect', uaid, newOwner: { nodeId, connectedAtMs } };
    }
    case 'broadcasts-changed': {
      const broadcasts = parseBroadcasts(c['broadcasts']);
      return broadcasts === undefined ? undefined : { type: 'broadcasts-changed', broadcasts };
    }
    default:
      return undefined;
  }
}
