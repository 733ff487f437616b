import { randomBytes, randomUUID } from 'node:crypto';
import type { ChannelId, NodeId, Uaid } from './model';

/**
 * Identifier parsing and creation. These are the only places that mint the branded id
 * types, so any `Uaid` or `ChannelId` in the program has already been validated.
 */

/** Char code → hex digit value, or -1. Lookup beats a regex on the frame hot path. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/** Dash positions of the 8-4-4-4-12 UUID form. */
const DASHES = [8, 13, 18, 23];

function isHexAt(s: string, from: number, to: number, lowercaseOnly: boolean): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || HEX[c] === -1) return false;
    if (lowercaseOnly && c >= 0x41 && c <= 0x46) return false;
  }
  return true;
}

function isDashedUuid(s: string, lowercaseOnly: boolean): boolean {
  if (s.length !== 36) return false;
  for (const d of DASHES) if (s.charCodeAt(d) !== 0x2d) return false;
  return (
    isHexAt(s, 0, 8, lowercaseOnly) &&
    isHexAt(s, 9, 13, lowercaseOnly) &&
    isHexAt(s, 14, 18, lowercaseOnly) &&
    isHexAt(s, 19, 23, lowercaseOnly) &&
    isHexAt(s, 24, 36, lowercaseOnly)
  );
}

/** 32 lowercase hex digits of a UUID in dashed or undashed form, any case; else undefined. */
function uuidHex(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  if (x.length === 32) return isHexAt(x, 0, 32, false) ? x.toLowerCase() : undefined;
  if (!isDashedUuid(x, false)) return undefined;
  return (
    x.slice(0, 8) +
    x.slice(9, 13) +
    x.slice(14, 18) +
    x.slice(19, 23) +
    x.slice(24)
  ).toLowerCase();
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh random (v4) uaid, undashed as the hello reply carries it. */
export function newUaid(): Uaid {
  return randomUUID().replaceAll('-', '') as Uaid;
}

/** A fresh random (v4) channel id in canonical form. */
export function newChannelId(): ChannelId {
  return randomUUID() as ChannelId;
}

/**
 * Lenient uaid parsing, as autoconnect does for `hello` (push-protocol.md §2.4): a UUID in
 * dashed or undashed form, any case, becomes 32 lowercase hex digits.
 */
export function parseUaid(x: unknown): Uaid | undefined {
  return uuidHex(x) as Uaid | undefined;
}

/**
 * Strict channel id parsing for `register` (§2.5): only the canonical lowercase dashed form
 * is accepted, because the id is echoed back and compared exactly by Firefox.
 */
export function parseChannelId(x: unknown): ChannelId | undefined {
  return typeof x === 'string' && isDashedUuid(x, true) ? (x as ChannelId) : undefined;
}

/** Any UUID form → canonical channel id (`unregister`, `ack`). */
export function parseChannelIdLenient(x: unknown): ChannelId | undefined {
  if (typeof x === 'string' && isDashedUuid(x, true)) return x as ChannelId;
  const hex = uuidHex(x);
  return hex === undefined ? undefined : (dashed(hex) as ChannelId);
}

/** True when `x` is a string in canonical uaid form (32 lowercase hex digits). */
export function isUaid(x: unknown): x is Uaid {
  return typeof x === 'string' && x.length === 32 && isHexAt(x, 0, 32, true);
}

/** The 16 raw bytes of a uaid or channel id. */
export function uuidBytes(id: Uaid | ChannelId): Buffer {
  return Buffer.from(id.length === 36 ? id.replaceAll('-', '') : id, 'hex');
}

function hexOf16(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError(`a UUID has 16 bytes, got ${b.length}`);
  return Buffer.from(b.buffer, b.byteOffset, 16).toString('hex');
}

/** Inverse of {@link uuidBytes} for a uaid. Throws a RangeError unless given 16 bytes. */
export function uaidFromBytes(b: Uint8Array): Uaid {
  return hexOf16(b) as Uaid;
}

/** Inverse of {@link uuidBytes} for a channel id. Throws a RangeError unless given 16 bytes. */
export function channelIdFromBytes(b: Uint8Array): ChannelId {
  return dashed(hexOf16(b)) as ChannelId;
}

const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const NOT_NODE_ID_CHARS = /[^A-Za-z0-9_-]+/g;
const RANDOM_SUFFIX_LENGTH = 6;

/** A node id is `[A-Za-z0-9_-]{1,64}`: safe as a NATS subject token and a log field. */
export function parseNodeId(x: unknown): NodeId | undefined {
  return typeof x === 'string' && NODE_ID.test(x) ? (x as NodeId) : undefined;
}

/**
 * `{hostname}-{6 random base36 chars}`: readable in logs, unique across restarts. Characters
 * a node id cannot hold become `-`; the host part is cut so the whole fits 64 characters.
 */
export function newNodeId(hostname: string): NodeId {
  const host =
    hostname.replace(NOT_NODE_ID_CHARS, '-').slice(0, 64 - 1 - RANDOM_SUFFIX_LENGTH) || 'node';
  let suffix = '';
  for (const byte of randomBytes(RANDOM_SUFFIX_LENGTH)) suffix += (byte % 36).toString(36);
  return `${host}-${suffix}` as NodeId;
}
