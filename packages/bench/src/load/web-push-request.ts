/**
 * What an application server puts on the wire, built with `node:crypto` only and fast
 * enough to pre-build thousands of requests: RFC 8291 aes128gcm bodies and RFC 8292
 * VAPID `Authorization` headers. The sender key pair is made once per subscription and
 * its IKM cached, so each body costs a few HMACs and one AES-GCM pass (a fresh salt per
 * body keeps every ciphertext distinct).
 */
import {
  createCipheriv,
  createECDH,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';

/** A subscription as a page hands it to its server. */
export interface Subscription {
  readonly endpoint: string;
  /** base64url */
  readonly p256dh: string;
  /** base64url */
  readonly auth: string;
}

const RECORD_SIZE = 4096;

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Encrypts bodies for one subscription (RFC 8291 §3.4, RFC 8188 single record). */
export class SubscriptionCipher {
  private readonly ikm: Buffer;
  private readonly senderPublicKey: Buffer;

  constructor(subscription: Subscription) {
    const receiverPublicKey = Buffer.from(subscription.p256dh, 'base64url');
    const authSecret = Buffer.from(subscription.auth, 'base64url');
    const sender = createECDH('prime256v1');
    this.senderPublicKey = sender.generateKeys();
    const ecdhSecret = sender.computeSecret(receiverPublicKey);
    const prkKey = hmac(authSecret, ecdhSecret);
    const keyInfo = Buffer.concat([
      Buffer.from('WebPush: info\0'),
      receiverPublicKey,
      this.senderPublicKey,
      Buffer.from([1]),
    ]);
    this.ikm = hmac(prkKey, keyInfo);
  }

  /** One aes128gcm body: header (salt, rs, keyid) then the single encrypted record. */
  encrypt(plaintext: Buffer): Buffer {
    const salt = randomBytes(16);
    const prk = hmac(salt, this.ikm);
    const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
    const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
    const cipher = createCipheriv('aes-128-gcm', cek, nonce);
    // 0x02: the padding delimiter of the last (only) record.
    const record = Buffer.concat([
      cipher.update(plaintext),
      cipher.update(Buffer.from([2])),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const header = Buffer.alloc(21);
    salt.copy(header, 0);
    header.writeUInt32BE(RECORD_SIZE, 16);
    header.writeUInt8(this.senderPublicKey.length, 20);
    return Buffer.concat([header, this.senderPublicKey, record]);
  }
}

/** The push's identity as the user agent sees it: the start of the base64url body (salt bytes). */
export function pushIdOfBody(body: Buffer): string {
  return body.subarray(0, 15).toString('base64url');
}

/** Same, from the `data` field of a notification frame. */
export function pushIdOfData(data: string): string {
  return data.slice(0, 20);
}

/** A VAPID signer (ES256) with its public key in the form subscriptions and headers use. */
export class VapidSigner {
  readonly publicKey: string;
  private readonly privateKey: KeyObject;

  constructor(keys?: { publicKey: string; privateKey: string }) {
    if (keys === undefined) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      this.privateKey = pair.privateKey;
      const jwk = pair.publicKey.export({ format: 'jwk' });
      this.publicKey = rawPublicKey(jwk.x ?? '', jwk.y ?? '');
    } else {
      this.publicKey = keys.publicKey;
      const raw = Buffer.from(keys.publicKey, 'base64url');
      this.privateKey = createPrivateKey({
        format: 'jwk',
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: raw.subarray(1, 33).toString('base64url'),
          y: raw.subarray(33, 65).toString('base64url'),
          d: keys.privateKey,
        },
      });
    }
  }

  /** The JWK private scalar, to hand the same signer to another process. */
  exportPrivateKey(): string {
    return this.privateKey.export({ format: 'jwk' }).d ?? '';
  }

  /**
   * `Authorization: vapid t=…, k=…` for `audience`. Distinct `subject`s give distinct
   * tokens (a VAPID cache miss each); the same arguments give the same header.
   */
  authorization(
    audience: string,
    expiresAtSeconds: number,
    subject = 'mailto:bench@example.com',
  ): string {
    const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256' })).toString('base64url');
    const claims = Buffer.from(
      JSON.stringify({ aud: audience, exp: expiresAtSeconds, sub: subject }),
    ).toString('base64url');
    const unsigned = `${header}.${claims}`;
    const signature = sign('sha256', Buffer.from(unsigned), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `vapid t=${unsigned}.${signature.toString('base64url')}, k=${this.publicKey}`;
  }
}

function rawPublicKey(x: string, y: string): string {
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(x, 'base64url'),
    Buffer.from(y, 'base64url'),
  ]).toString('base64url');
}
