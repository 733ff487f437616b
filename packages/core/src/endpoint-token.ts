import { createHash } from 'node:crypto';
import { decodeBase64UrlPadded } from './base64';
import type { CryptoKeys } from './crypto-keys';
import { channelIdFromBytes, uaidFromBytes, uuidBytes } from './ids';
import type { ChannelId, Uaid } from './model';

/**
 * Endpoint tokens: the opaque last path segment of a push endpoint, sealing the uaid and
 * channel id (v1), plus SHA-256 of the subscription's application server key for
 * "restricted" v2 endpoints (push-protocol.md §4.4, §5.1).
 */

export type EndpointApiVersion = 1 | 2;

export interface EndpointToken {
  readonly apiVersion: EndpointApiVersion;
  readonly token: string;
}

export interface EndpointTokenContents {
  readonly uaid: Uaid;
  readonly channelId: ChannelId;
  /** SHA-256 of the raw application server key; present exactly for v2 tokens. */
  readonly appServerKeyHash?: Buffer;
}

const V1_BYTES = 32;
const V2_BYTES = 64;
const APPLICATION_SERVER_KEY_BYTES = 65;
const UNCOMPRESSED_POINT = 0x04;

/** Makes a v2 token when `appServerKey` (the raw 65-byte point) is given, else v1. */
export function makeEndpointToken(
  keys: CryptoKeys,
  subscription: { uaid: Uaid; channelId: ChannelId; appServerKey?: Buffer },
): EndpointToken {
  const parts = [uuidBytes(subscription.uaid), uuidBytes(subscription.channelId)];
  if (subscription.appServerKey === undefined)
    return { apiVersion: 1, token: keys.seal(Buffer.concat(parts)) };
  parts.push(createHash('sha256').update(subscription.appServerKey).digest());
  return { apiVersion: 2, token: keys.seal(Buffer.concat(parts)) };
}

/**
 * Opens a token from a `/wpush/v{apiVersion}/` URL. `undefined` when it does not open or
 * its plaintext has the wrong length for the version (both are 404/102 to the sender).
 */
export function openEndpointToken(
  keys: CryptoKeys,
  apiVersion: EndpointApiVersion,
  token: string,
): EndpointTokenContents | undefined {
  const plaintext = keys.open(token);
  if (plaintext === undefined) return undefined;
  if (plaintext.length !== (apiVersion === 1 ? V1_BYTES : V2_BYTES)) return undefined;
  const uaid = uaidFromBytes(plaintext.subarray(0, 16));
  const channelId = channelIdFromBytes(plaintext.subarray(16, 32));
  if (apiVersion === 1) return { uaid, channelId };
  return { uaid, channelId, appServerKeyHash: plaintext.subarray(32, 64) };
}

/** `${publicOrigin}/wpush/v${n}/${token}`; `publicOrigin` has no trailing slash (`originOf`). */
export function endpointUrl(publicOrigin: string, t: EndpointToken): string {
  return `${publicOrigin}/wpush/v${t.apiVersion}/${t.token}`;
}

/**
 * Decodes a `register` `key` (base64url, padded or not, as Firefox sends it) to the raw
 * 65-byte uncompressed P-256 point; `undefined` otherwise (register status 400).
 */
export function decodeApplicationServerKey(key: string): Buffer | undefined {
  const bytes = decodeBase64UrlPadded(key);
  if (
    bytes === undefined ||
    bytes.length !== APPLICATION_SERVER_KEY_BYTES ||
    bytes[0] !== UNCOMPRESSED_POINT
  ) {
    return undefined;
  }
  return bytes;
}
