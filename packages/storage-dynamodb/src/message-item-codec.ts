import { parseChannelId } from '@herald/core';
import type { MessageId, Notification, NotificationHeaders, Uaid, Urgency } from '@herald/core';
import { numberValue, readCount, readMap, readString, stringValue } from './attribute-values';
import type { Decoded, Item } from './attribute-values';

const URGENCIES: ReadonlySet<string> = new Set<Urgency>(['very-low', 'low', 'normal', 'high']);

/** Sort keys the adapter writes: `01:` topic rows, `02:` arrival-ordered rows. */
const STORAGE_KEY = /^0[12]:/;

/**
 * `02:{µs, 16 digits}:{writer id, 8 hex}:{channel id}`, as `storageKeyFor` (core) builds
 * keys for messages without a topic.
 */
const SINGLE_USE_STORAGE_KEY = /^02:\d{16}:[0-9a-f]{8}:./;

/**
 * Whether only one message can ever be stored at `storageKey`. An arrival-ordered key
 * holds the receive time in microseconds and the id of the one endpoint process that
 * chose it, which never hands out the same microsecond twice; its message id is sealed
 * from those same parts. So deleting the row cannot delete another message, and needs no
 * `message_id` condition. A topic key (`01:`) is reused by every replacement, and any
 * other shape is not ours to reason about: both keep the conditional delete.
 */
export function isSingleUseStorageKey(storageKey: string): boolean {
  return SINGLE_USE_STORAGE_KEY.test(storageKey);
}

/**
 * The row's DynamoDB TTL value. Whole seconds, rounded so that the read filter
 * `expiry > floor(now / 1000)` never returns a notification `isExpired` would call
 * expired (it may hide one up to a second early).
 */
export function expirySeconds(n: Pick<Notification, 'receivedAtMs' | 'ttlSeconds'>): number {
  return Math.floor(n.receivedAtMs / 1000) + n.ttlSeconds;
}

/** The whole item for `save`; optional attributes are omitted, never written empty. */
export function encodeMessageItem(n: Notification): Item {
  const item: Item = {
    uaid: stringValue(n.uaid),
    sk: stringValue(n.storageKey),
    message_id: stringValue(n.messageId),
    channel_id: stringValue(n.channelId),
    ttl: numberValue(n.ttlSeconds),
    received_at: numberValue(n.receivedAtMs),
    urgency: stringValue(n.urgency),
    expiry: numberValue(expirySeconds(n)),
  };
  if (n.topic !== undefined) item.topic = stringValue(n.topic);
  if (n.data !== undefined) item.data = stringValue(n.data);
  if (n.headers !== undefined) item.headers = { M: encodeHeaders(n.headers) };
  return item;
}

/** Parses a message row of `uaid` (the partition that was queried). */
export function decodeMessageItem(uaid: Uaid, item: Item): Decoded<Notification> {
  if (readString(item, 'uaid') !== uaid) return refuse('uaid');
  const storageKey = readString(item, 'sk');
  if (typeof storageKey !== 'string' || !STORAGE_KEY.test(storageKey)) return refuse('sk');
  const messageId = readString(item, 'message_id');
  if (typeof messageId !== 'string' || messageId === '') return refuse('message_id');
  const channelId = parseChannelId(readString(item, 'channel_id'));
  if (channelId === undefined) return refuse('channel_id');
  const topic = readString(item, 'topic');
  if (topic === null) return refuse('topic');
  const ttlSeconds = readCount(item, 'ttl');
  if (typeof ttlSeconds !== 'number' || ttlSeconds === 0) return refuse('ttl');
  const receivedAtMs = readCount(item, 'received_at');
  if (typeof receivedAtMs !== 'number') return refuse('received_at');
  const urgency = readString(item, 'urgency');
  if (typeof urgency !== 'string' || !URGENCIES.has(urgency)) return refuse('urgency');
  const data = readString(item, 'data');
  if (data === null) return refuse('data');
  const headers = decodeHeaders(item);
  if (!headers.ok) return headers;
  // The model promises headers exactly when there is data.
  if ((data === undefined) !== (headers.value === undefined)) return refuse('headers');
  return {
    ok: true,
    value: {
      uaid,
      channelId,
      messageId: messageId as MessageId,
      storageKey,
      ttlSeconds,
      receivedAtMs,
      urgency: urgency as Urgency,
      ...(topic !== undefined ? { topic } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(headers.value !== undefined ? { headers: headers.value } : {}),
    },
  };
}

function encodeHeaders(headers: NotificationHeaders): Item {
  const map: Item = { encoding: stringValue(headers.encoding) };
  if (headers.encryption !== undefined) map.encryption = stringValue(headers.encryption);
  if (headers.crypto_key !== undefined) map.crypto_key = stringValue(headers.crypto_key);
  return map;
}

function decodeHeaders(item: Item): Decoded<NotificationHeaders | undefined> {
  const map = readMap(item, 'headers');
  if (map === undefined) return { ok: true, value: undefined };
  if (map === null) return refuse('headers');
  const encoding = readString(map, 'encoding');
  if (encoding !== 'aes128gcm' && encoding !== 'aesgcm') return refuse('headers');
  const encryption = readString(map, 'encryption');
  const cryptoKey = readString(map, 'crypto_key');
  if (encryption === null || cryptoKey === null) return refuse('headers');
  return {
    ok: true,
    value: {
      encoding,
      ...(encryption !== undefined ? { encryption } : {}),
      ...(cryptoKey !== undefined ? { crypto_key: cryptoKey } : {}),
    },
  };
}

function refuse(attribute: string): { ok: false; reason: string } {
  return { ok: false, reason: `message item has a missing or invalid ${attribute}` };
}
