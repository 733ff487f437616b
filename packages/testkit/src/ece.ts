/**
 * Decryption of push message bodies as a user agent does it, with `node:crypto` only:
 * `aes128gcm` (RFC 8188 records, RFC 8291 Web Push keys) and the legacy `aesgcm`
 * (draft-ietf-webpush-encryption-04 over draft-ietf-httpbis-encryption-encoding-03),
 * which older senders still emit. Verified against the RFCs' examples in ece.test.ts.
 */
import { createDecipheriv, createECDH, createHmac, randomBytes } from 'node:crypto';
import type { ECDH } from 'node:crypto';

const TAG_BYTES = 16;
const KEY_BYTES = 16;
const NONCE_BYTES = 12;

/** The user agent's half of a subscription: its P-256 key pair and 16-byte auth secret. */
export interface SubscriptionKeys {
  /** Raw private scalar (32 bytes). */
  readonly privateKey: Buffer;
  /** Uncompressed public point (65 bytes): the subscription's `p256dh`. */
  readonly publicKey: Buffer;
  readonly authSecret: Buffer;
}

/** What a `notification` frame carries about the body (push-protocol.md §2.6). */
export interface EncryptedPush {
  /** The body, base64url (padding tolerated). */
  readonly data: string;
  readonly headers: {
    readonly encoding: string;
    readonly encryption?: string;
    readonly crypto_key?: string;
  };
}

/** A fresh P-256 key pair and auth secret, as a browser makes for each subscription. */
export function generateSubscriptionKeys(): SubscriptionKeys {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return {
    privateKey: ecdh.getPrivateKey(),
    publicKey: ecdh.getPublicKey(),
    authSecret: randomBytes(16),
  };
}

/** Decrypts a pushed body for the subscription whose keys are given. Throws when it cannot. */
export function decryptPush(push: EncryptedPush, keys: SubscriptionKeys): Buffer {
  const body = Buffer.from(push.data, 'base64url');
  switch (push.headers.encoding) {
    case 'aes128gcm':
      return decryptWebPushAes128gcm(body, keys);
    case 'aesgcm':
      return decryptWebPushAesgcm(body, keys, push.headers);
    default:
      throw new Error(`unsupported content encoding ${push.headers.encoding}`);
  }
}

/** RFC 8291 §3.4: the IKM comes from ECDH with the sender key in the record header's keyid. */
export function decryptWebPushAes128gcm(body: Buffer, keys: SubscriptionKeys): Buffer {
  const header = parseAes128gcmHeader(body);
  const senderPublicKey = header.keyId;
  const ecdhSecret = ecdhWith(keys.privateKey).computeSecret(senderPublicKey);
  const prkKey = hmac(keys.authSecret, ecdhSecret);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.publicKey, senderPublicKey]);
  const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.from([1])]));
  return decryptAes128gcm(body, ikm);
}

/** RFC 8188 §2: decrypts an `aes128gcm` body given the input keying material directly. */
export function decryptAes128gcm(body: Buffer, ikm: Buffer): Buffer {
  const { salt, recordSize, payload } = parseAes128gcmHeader(body);
  const prk = hmac(salt, ikm);
  const key = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, KEY_BYTES);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, NONCE_BYTES);
  const plaintexts: Buffer[] = [];
  const records = splitRecords(payload, recordSize);
  records.forEach((record, index) => {
    const padded = openRecord(key, nonce, index, record);
    // Strip zero padding, then the delimiter: 0x02 ends the last record, 0x01 any other.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end -= 1;
    const delimiter = padded[end];
    const last = index === records.length - 1;
    if (delimiter !== (last ? 2 : 1))
      throw new Error(`record ${index} has a bad padding delimiter`);
    plaintexts.push(padded.subarray(0, end));
  });
  return Buffer.concat(plaintexts);
}

/** draft-ietf-webpush-encryption-04: keys from `Crypto-Key: dh=` and `Encryption: salt=`. */
export function decryptWebPushAesgcm(
  body: Buffer,
  keys: SubscriptionKeys,
  headers: { readonly encryption?: string; readonly crypto_key?: string },
): Buffer {
  const encryption = headerParams(headers.encryption ?? '');
  const cryptoKey = headerParams(headers.crypto_key ?? '');
  const salt = encryption.get('salt');
  const dh = cryptoKey.get('dh');
  if (salt === undefined || dh === undefined)
    throw new Error('aesgcm needs encryption salt and crypto_key dh');
  const recordSize = Number(encryption.get('rs') ?? '4096');
  const senderPublicKey = Buffer.from(dh, 'base64url');
  const ecdhSecret = ecdhWith(keys.privateKey).computeSecret(senderPublicKey);
  const ikm = hkdf(keys.authSecret, ecdhSecret, Buffer.from('Content-Encoding: auth\0'), 32);
  const context = Buffer.concat([
    Buffer.from('P-256\0'),
    lengthPrefixed(keys.publicKey),
    lengthPrefixed(senderPublicKey),
  ]);
  const saltBytes = Buffer.from(salt, 'base64url');
  const key = hkdf(
    saltBytes,
    ikm,
    Buffer.concat([Buffer.from('Content-Encoding: aesgcm\0'), context]),
    KEY_BYTES,
  );
  const nonce = hkdf(
    saltBytes,
    ikm,
    Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), context]),
    NONCE_BYTES,
  );
  // In this older draft `rs` counts plaintext; each record carries a 2-byte padding length first.
  return Buffer.concat(
    splitRecords(body, recordSize + TAG_BYTES).map((record, index) => {
      const padded = openRecord(key, nonce, index, record);
      const padding = padded.readUInt16BE(0);
      return padded.subarray(2 + padding);
    }),
  );
}

function parseAes128gcmHeader(body: Buffer): {
  salt: Buffer;
  recordSize: number;
  keyId: Buffer;
  payload: Buffer;
} {
  if (body.length < 21) throw new Error('aes128gcm body shorter than its header');
  const idLength = body[20]!;
  return {
    salt: body.subarray(0, 16),
    recordSize: body.readUInt32BE(16),
    keyId: body.subarray(21, 21 + idLength),
    payload: body.subarray(21 + idLength),
  };
}

function splitRecords(payload: Buffer, recordSize: number): Buffer[] {
  if (recordSize <= TAG_BYTES) throw new Error(`record size ${recordSize} too small`);
  const records: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += recordSize) {
    records.push(payload.subarray(offset, offset + recordSize));
  }
  return records;
}

function openRecord(key: Buffer, baseNonce: Buffer, sequence: number, record: Buffer): Buffer {
  const nonce = Buffer.from(baseNonce);
  // The record sequence number is XORed into the nonce's low bits (big-endian); sequences
  // here stay below 2^32, so the last four bytes suffice (JS bit operators are 32-bit).
  nonce.writeUInt32BE((nonce.readUInt32BE(8) ^ sequence) >>> 0, 8);
  const decipher = createDecipheriv('aes-128-gcm', key, nonce);
  decipher.setAuthTag(record.subarray(record.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(record.subarray(0, record.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

function ecdhWith(privateKey: Buffer): ECDH {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(privateKey);
  return ecdh;
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** HKDF-SHA-256 for outputs of at most one block (all this module needs). */
function hkdf(salt: Buffer, ikm: Buffer, info: Buffer, length: number): Buffer {
  const prk = hmac(salt, ikm);
  return hmac(prk, Buffer.concat([info, Buffer.from([1])])).subarray(0, length);
}

function lengthPrefixed(b: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(b.length);
  return Buffer.concat([length, b]);
}

/** `a=b;c=d` (several comma-separated entries merged; quotes removed). */
function headerParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const entry of value.split(',')) {
    for (const part of entry.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      params.set(
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/"/g, ''),
      );
    }
  }
  return params;
}
