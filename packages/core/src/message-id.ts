import { randomBytes } from 'node:crypto';
import type { CryptoKeys } from './crypto-keys';
import { channelIdFromBytes, uaidFromBytes, uuidBytes } from './ids';
import type { ChannelId, MessageId, Uaid } from './model';

/**
 * Message ids (the frame's `version`, the `{id}` of `DELETE /m/{id}`) and storage keys.
 *
 * A message id seals uaid ‖ channel id ‖ the row's storage key, so `DELETE /m/{id}` can
 * find the row without a lookup and nobody can forge one for another user's message.
 * Sealed plaintext: kind(1) ‖ uaid(16) ‖ channel(16) ‖ rest, where rest is the 8-byte
 * big-endian receive time in µs and the 4-byte writer id for `02:` keys, the UTF-8 topic
 * for `01:` keys, and the whole storage key (UTF-8) for any other shape.
 */

const TOPIC_PREFIX = '01:';
const TIMESTAMP_PREFIX = '02:';
const TIMESTAMP_DIGITS = 16;
const WRITER_DIGITS = 8;
const TIMESTAMP_REST_BYTES = 12;
const KIND_OTHER = 0;
const KIND_TOPIC = 1;
const KIND_TIMESTAMP = 2;
const HEADER_BYTES = 33;

export interface MessageIdContents {
  readonly uaid: Uaid;
  readonly channelId: ChannelId;
  readonly storageKey: string;
}

/**
 * The message table's sort key (design: topic rows first, then arrival order):
 * `01:{channelId}:{topic}` or `02:{receivedAtUs, 16 digits}:{writerId, 8 hex}:{channelId}`.
 * The writer id (one per endpoint process, see {@link MonotonicMicros}) keeps two
 * processes that accept pushes for one uaid in the same microsecond from writing the
 * same key, which would make the second `PutItem` overwrite the first.
 */
export function storageKeyFor(m: {
  channelId: ChannelId;
  topic?: string;
  receivedAtUs: number;
  writerId: number;
}): string {
  if (m.topic !== undefined) return `${TOPIC_PREFIX}${m.channelId}:${m.topic}`;
  const us = String(m.receivedAtUs).padStart(TIMESTAMP_DIGITS, '0');
  const writer = (m.writerId >>> 0).toString(16).padStart(WRITER_DIGITS, '0');
  return `${TIMESTAMP_PREFIX}${us}:${writer}:${m.channelId}`;
}

/** The µs and writer of a canonical `02:` key for `channelId`, or undefined otherwise. */
function timestampOf(
  storageKey: string,
  channelId: ChannelId,
): { us: number; writerId: number } | undefined {
  const writerAt = TIMESTAMP_PREFIX.length + TIMESTAMP_DIGITS + 1;
  if (
    storageKey.length !== writerAt + WRITER_DIGITS + 1 + channelId.length ||
    !storageKey.startsWith(TIMESTAMP_PREFIX) ||
    !storageKey.endsWith(channelId) ||
    storageKey.charCodeAt(writerAt - 1) !== 0x3a ||
    storageKey.charCodeAt(writerAt + WRITER_DIGITS) !== 0x3a
  ) {
    return undefined;
  }
  // Char-code loops, not regular expressions and slices: this runs on every push.
  let writerId = 0;
  for (let i = writerAt; i < writerAt + WRITER_DIGITS; i++) {
    const c = storageKey.charCodeAt(i);
    const nibble = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (nibble === -1) return undefined;
    writerId = writerId * 16 + nibble;
  }
  let us = 0;
  for (let i = TIMESTAMP_PREFIX.length; i < TIMESTAMP_PREFIX.length + TIMESTAMP_DIGITS; i++) {
    const c = storageKey.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    us = us * 10 + (c - 0x30);
  }
  // Past 2^53 the sum above rounds; such a key is not one this code wrote.
  return Number.isSafeInteger(us) ? { us, writerId } : undefined;
}

/** Seals a message id for the row at `storageKey`. */
export function sealMessageId(keys: CryptoKeys, m: MessageIdContents): MessageId {
  const topicPrefix = `${TOPIC_PREFIX}${m.channelId}:`;
  const stamp = timestampOf(m.storageKey, m.channelId);
  let kind: number;
  let rest: Buffer;
  if (stamp !== undefined) {
    kind = KIND_TIMESTAMP;
    rest = Buffer.allocUnsafe(TIMESTAMP_REST_BYTES);
    // The 64-bit big-endian µs as two 32-bit halves: no BigInt per push.
    rest.writeUInt32BE(Math.floor(stamp.us / 2 ** 32), 0);
    rest.writeUInt32BE(stamp.us >>> 0, 4);
    rest.writeUInt32BE(stamp.writerId, 8);
  } else if (m.storageKey.startsWith(topicPrefix)) {
    kind = KIND_TOPIC;
    rest = Buffer.from(m.storageKey.slice(topicPrefix.length), 'utf8');
  } else {
    kind = KIND_OTHER;
    rest = Buffer.from(m.storageKey, 'utf8');
  }
  const plaintext = Buffer.allocUnsafe(HEADER_BYTES + rest.length);
  plaintext[0] = kind;
  uuidBytes(m.uaid).copy(plaintext, 1);
  uuidBytes(m.channelId).copy(plaintext, 17);
  rest.copy(plaintext, HEADER_BYTES);
  return keys.seal(plaintext) as MessageId;
}

/** Opens a message id; `undefined` when it does not open or is malformed (400 on DELETE). */
export function openMessageId(keys: CryptoKeys, id: string): MessageIdContents | undefined {
  const plaintext = keys.open(id);
  if (plaintext === undefined || plaintext.length < HEADER_BYTES) return undefined;
  const uaid = uaidFromBytes(plaintext.subarray(1, 17));
  const channelId = channelIdFromBytes(plaintext.subarray(17, 33));
  const rest = plaintext.subarray(HEADER_BYTES);
  switch (plaintext[0]!) {
    case KIND_TIMESTAMP: {
      if (rest.length !== TIMESTAMP_REST_BYTES) return undefined;
      const us = rest.readBigUInt64BE();
      if (us > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      const writerId = rest.readUInt32BE(8);
      return {
        uaid,
        channelId,
        storageKey: storageKeyFor({ channelId, receivedAtUs: Number(us), writerId }),
      };
    }
    case KIND_TOPIC:
      return {
        uaid,
        channelId,
        storageKey: `${TOPIC_PREFIX}${channelId}:${rest.toString('utf8')}`,
      };
    case KIND_OTHER:
      return { uaid, channelId, storageKey: rest.toString('utf8') };
    default:
      return undefined;
  }
}

/**
 * A per-process clock in microseconds that never repeats or goes back, so two pushes
 * accepted one after another get increasing `02:` storage keys even within one
 * millisecond or across a wall-clock step backwards.
 */
export class MonotonicMicros {
  private lastUs = 0;

  /** This process's writer id for {@link storageKeyFor}: random, 32 bits. */
  readonly writerId: number = randomBytes(4).readUInt32BE(0);

  /** A µs timestamp ≥ `nowMs * 1000` and strictly greater than every earlier result. */
  next(nowMs: number): number {
    const us = Math.floor(nowMs * 1000);
    this.lastUs = us > this.lastUs ? us : this.lastUs + 1;
    return this.lastUs;
  }
}
