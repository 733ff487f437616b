import { parseChannelIdLenient } from './ids';
import type { Broadcasts, ChannelId, Notification, Uaid } from './model';

/**
 * The WebSocket protocol's frames (push-protocol.md §2.2, §2.3). Parsing is hand-written
 * rather than schema-driven because every frame from every user agent passes through it.
 * Unknown fields are ignored; an unknown `messageType` or a wrongly typed field makes the
 * whole frame invalid, which the session answers with close 1011 as autoconnect does.
 */

export interface AckUpdate {
  readonly channelId: ChannelId;
  readonly version: string;
  readonly code?: number;
}

export type ClientFrame =
  | {
      readonly type: 'hello';
      /** The raw `uaid` string; parsed leniently by the session. Absent/null/non-string → undefined. */
      readonly uaid: string | undefined;
      readonly broadcasts: Broadcasts;
      readonly useWebpush?: boolean;
    }
  /** `channelId` is the raw string: the session checks the strict form and closes if wrong. */
  | { readonly type: 'register'; readonly channelId: string; readonly key?: string }
  | { readonly type: 'unregister'; readonly channelId: ChannelId; readonly code?: number }
  | { readonly type: 'ack'; readonly updates: readonly AckUpdate[] }
  | { readonly type: 'nack'; readonly version: string; readonly code?: number }
  | { readonly type: 'ping' }
  | { readonly type: 'broadcast_subscribe'; readonly broadcasts: Broadcasts };

export type ClientFrameType = ClientFrame['type'];

export type ParsedClientFrame =
  { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false };

const INVALID: ParsedClientFrame = { ok: false };
const PING: ParsedClientFrame = { ok: true, frame: { type: 'ping' } };
/** Signals a wrongly typed field from the field readers below. */
const BAD = Symbol('bad');

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A `{string: string}` map; null/absent → `absent`; anything else → BAD. */
function readBroadcasts(x: unknown, absent: Broadcasts | typeof BAD): Broadcasts | typeof BAD {
  if (x === undefined || x === null) return absent;
  if (!isObject(x)) return BAD;
  for (const key in x) if (typeof x[key] !== 'string') return BAD;
  return x as Broadcasts;
}

/** An optional integer in [min, max]; null counts as absent. */
function readCode(x: unknown, min: number, max: number): number | undefined | typeof BAD {
  if (x === undefined || x === null) return undefined;
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max ? x : BAD;
}

const U16_MAX = 0xffff;
const U32_MAX = 0xffffffff;
const I32_MIN = -0x80000000;
const I32_MAX = 0x7fffffff;

function parseHello(m: Json): ParsedClientFrame {
  const broadcasts = readBroadcasts(m['broadcasts'], {});
  if (broadcasts === BAD) return INVALID;
  const channelIds = m['channelIDs'];
  // Ignored, but autoconnect fails the whole hello when one is not a UUID.
  if (channelIds !== undefined && channelIds !== null) {
    if (!Array.isArray(channelIds)) return INVALID;
    for (const id of channelIds) if (parseChannelIdLenient(id) === undefined) return INVALID;
  }
  const useWebpush = m['use_webpush'];
  if (useWebpush !== undefined && useWebpush !== null && typeof useWebpush !== 'boolean')
    return INVALID;
  const uaid = typeof m['uaid'] === 'string' ? m['uaid'] : undefined;
  return {
    ok: true,
    frame:
      typeof useWebpush === 'boolean'
        ? { type: 'hello', uaid, broadcasts, useWebpush }
        : { type: 'hello', uaid, broadcasts },
  };
}

function parseRegister(m: Json): ParsedClientFrame {
  const channelId = m['channelID'];
  const key = m['key'];
  if (typeof channelId !== 'string') return INVALID;
  if (key === undefined || key === null)
    return { ok: true, frame: { type: 'register', channelId } };
  if (typeof key !== 'string') return INVALID;
  return { ok: true, frame: { type: 'register', channelId, key } };
}

function parseUnregister(m: Json): ParsedClientFrame {
  const channelId = parseChannelIdLenient(m['channelID']);
  const code = readCode(m['code'], 0, U32_MAX);
  if (channelId === undefined || code === BAD) return INVALID;
  return {
    ok: true,
    frame:
      code === undefined
        ? { type: 'unregister', channelId }
        : { type: 'unregister', channelId, code },
  };
}

function parseAck(m: Json): ParsedClientFrame {
  const raw = m['updates'];
  if (!Array.isArray(raw)) return INVALID;
  const updates: AckUpdate[] = new Array<AckUpdate>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const u: unknown = raw[i];
    if (!isObject(u)) return INVALID;
    const channelId = parseChannelIdLenient(u['channelID']);
    const version = u['version'];
    const code = readCode(u['code'], 0, U16_MAX);
    if (channelId === undefined || typeof version !== 'string' || code === BAD) return INVALID;
    updates[i] = code === undefined ? { channelId, version } : { channelId, version, code };
  }
  return { ok: true, frame: { type: 'ack', updates } };
}

function parseNack(m: Json): ParsedClientFrame {
  const version = m['version'];
  const code = readCode(m['code'], I32_MIN, I32_MAX);
  if (typeof version !== 'string' || code === BAD) return INVALID;
  return {
    ok: true,
    frame: code === undefined ? { type: 'nack', version } : { type: 'nack', version, code },
  };
}

function parseBroadcastSubscribe(m: Json): ParsedClientFrame {
  const broadcasts = readBroadcasts(m['broadcasts'], BAD);
  if (broadcasts === BAD) return INVALID;
  return { ok: true, frame: { type: 'broadcast_subscribe', broadcasts } };
}

/** Parses one text frame from a user agent. `{}` and `{"messageType":"ping"}` are pings. */
export function parseClientFrame(text: string): ParsedClientFrame {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return INVALID;
  }
  if (!isObject(m)) return INVALID;
  switch (m['messageType']) {
    case 'hello':
      return parseHello(m);
    case 'register':
      return parseRegister(m);
    case 'unregister':
      return parseUnregister(m);
    case 'ack':
      return parseAck(m);
    case 'nack':
      return parseNack(m);
    case 'ping':
      return PING;
    case 'broadcast_subscribe':
      return parseBroadcastSubscribe(m);
    case undefined:
      // Only the empty object is a ping (autoconnect compares the text with `{}`).
      for (const _ in m) return INVALID;
      return PING;
    default:
      return INVALID;
  }
}

/** The server's answer to a client ping: the literal `{}`. */
export const PING_REPLY = '{}';

/** `hello` reply, in autoconnect's field order. `uaid` is the undashed form. */
export function helloReply(uaid: Uaid, broadcasts: Broadcasts): string {
  return `{"messageType":"hello","uaid":"${uaid}","status":200,"use_webpush":true,"broadcasts":${JSON.stringify(broadcasts)}}`;
}

/** `register` reply: status 200 with the endpoint, 400/500 with a reason or `""`. */
export function registerReply(channelId: string, status: number, pushEndpoint: string): string {
  return JSON.stringify({ messageType: 'register', channelID: channelId, status, pushEndpoint });
}

/** `unregister` reply: 200 (even for an unknown channel) or 500. */
export function unregisterReply(channelId: string, status: number): string {
  return JSON.stringify({ messageType: 'unregister', channelID: channelId, status });
}

/**
 * A `notification` frame: `channelID`, `version` and, only when the push had a body,
 * `data` and `headers`. Ids and data are base64url/UUID text, so they need no escaping.
 */
export function notificationFrame(n: Notification): string {
  const head = `{"messageType":"notification","channelID":"${n.channelId}","version":"${n.messageId}"`;
  if (n.data === undefined) return `${head}}`;
  return `${head},"data":"${n.data}","headers":${JSON.stringify(n.headers ?? {})}}`;
}

/** A `broadcast` frame carrying changed (or errored) broadcast versions. */
export function broadcastFrame(broadcasts: Broadcasts): string {
  return `{"messageType":"broadcast","broadcasts":${JSON.stringify(broadcasts)}}`;
}
