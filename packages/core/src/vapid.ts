import {
  createHash,
  createPublicKey,
  verify as verifySignature,
  type KeyObject,
} from 'node:crypto';
import { decodeBase64AnyAlphabet, decodeBase64UrlStrict } from './base64';
import type { PushRejection } from './errno';
import type { Clock } from './ports';
import { parseCryptoKey } from './push-headers';

/** SHA-256 of `b` (v2 endpoint tokens hold SHA-256 of the application server key). */
export function sha256(b: Buffer): Buffer {
  return createHash('sha256').update(b).digest();
}

export type VapidOutcome =
  /** No `Authorization` header: fine for v1 endpoints, 401 for v2 (the caller decides). */
  | { readonly kind: 'absent' }
  | {
      readonly kind: 'valid';
      /** The sender's raw uncompressed P-256 point (65 bytes). */
      readonly publicKey: Buffer;
      readonly publicKeyHash: Buffer;
      readonly subject?: string;
      /** True when answered from the cache of verified tokens, without a signature check. */
      readonly cacheHit: boolean;
    }
  | { readonly kind: 'invalid'; readonly rejection: PushRejection };

/** jsonwebtoken's default leeway, which autoendpoint uses for `exp`. */
const EXP_LEEWAY_SECONDS = 60;
const MAX_EXP_AHEAD_SECONDS = 24 * 60 * 60;
const PUBLIC_KEY_BYTES = 65;
const SIGNATURE_BYTES = 64;
const SPACES = / /g;

interface Verified {
  readonly publicKey: Buffer;
  readonly publicKeyHash: Buffer;
  readonly subject: string | undefined;
  readonly expSeconds: number;
}

/** A cache entry: the token's `exp`, and the outcome a hit returns, built once. */
interface Remembered {
  readonly expSeconds: number;
  readonly hit: VapidOutcome;
}

function invalid(message: string): VapidOutcome {
  return { kind: 'invalid', rejection: { code: 'vapid-invalid', message } };
}

function badCryptoKey(message: string): VapidOutcome {
  return { kind: 'invalid', rejection: { code: 'encryption-headers', message } };
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64UrlStrict(part);
  if (bytes === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies VAPID (RFC 8292, and draft-01 `WebPush`/`Bearer` + `Crypto-Key: p256ecdsa=`)
 * exactly as autoendpoint does (push-protocol.md §4): ES256 only; `exp` numeric, not
 * more than 60 s in the past nor more than 24 h ahead; `aud` equal to `audience`.
 * Failures are 401/109, except a missing or unusable Crypto-Key on the draft schemes
 * (400/110).
 *
 * Senders reuse one JWT for hours, so verified (header, key) pairs are kept in a bounded
 * LRU until their `exp`; a hit costs one Map lookup. The cache key is the raw header
 * text (plus the p256ecdsa key for the draft schemes), so any change misses.
 */
export class VapidVerifier {
  private readonly audience: string;
  private readonly clock: Clock;
  private readonly cacheSize: number;
  private readonly cache = new Map<string, Remembered>();

  constructor(opts: { audience: string; clock: Clock; cacheSize?: number }) {
    this.audience = opts.audience;
    this.clock = opts.clock;
    this.cacheSize = opts.cacheSize ?? 10_000;
  }

  verify(h: { authorization?: string; cryptoKey?: string }): VapidOutcome {
    const authorization = h.authorization;
    if (authorization === undefined) return { kind: 'absent' };

    const space = authorization.indexOf(' ');
    if (space === -1) return invalid('Missing auth token');
    const scheme = authorization.slice(0, space).toLowerCase();
    let token: string | undefined;
    let key: string | undefined;
    let cacheKey: string;
    if (scheme === 'vapid') {
      cacheKey = authorization;
    } else if (scheme === 'webpush' || scheme === 'bearer') {
      // Draft-01: the key travels in Crypto-Key, whose `dh` changes with every aesgcm
      // message, so the cache key uses only the p256ecdsa item.
      if (h.cryptoKey === undefined) return badCryptoKey('Missing Crypto-Key header');
      const sections = parseCryptoKey(h.cryptoKey);
      if (sections === undefined) return badCryptoKey('Invalid Crypto-Key header');
      key = sections.find((s) => s.has('p256ecdsa'))?.get('p256ecdsa');
      if (key === undefined) return badCryptoKey('Missing p256ecdsa in Crypto-Key header');
      token = authorization.slice(space + 1).replace(SPACES, '');
      cacheKey = `${authorization}\n${key}`;
    } else {
      return invalid('Unknown auth scheme');
    }

    const nowSeconds = this.clock.nowMs() / 1000;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) {
      this.cache.delete(cacheKey);
      if (nowSeconds <= cached.expSeconds) {
        this.cache.set(cacheKey, cached); // most recently used goes last
        return cached.hit;
      }
      // Past exp: verify afresh, which applies the leeway and reports why.
    }

    if (scheme === 'vapid') {
      for (const pair of authorization
        .slice(space + 1)
        .replace(SPACES, '')
        .split(',')) {
        const eq = pair.indexOf('=');
        if (eq === -1) continue;
        const name = pair.slice(0, eq);
        if (name === 'k') key = pair.slice(eq + 1);
        else if (name === 't') token = pair.slice(eq + 1);
      }
      if (key === undefined) return invalid('Missing VAPID public key');
      if (token === undefined) return invalid('Missing VAPID token');
    }

    const verified = this.verifyToken(token!, key!, nowSeconds);
    if (!('expSeconds' in verified)) return verified;
    this.remember(cacheKey, verified);
    return { kind: 'valid', ...this.fields(verified), cacheHit: false };
  }

  private fields(v: Verified): { publicKey: Buffer; publicKeyHash: Buffer; subject?: string } {
    return v.subject === undefined
      ? { publicKey: v.publicKey, publicKeyHash: v.publicKeyHash }
      : { publicKey: v.publicKey, publicKeyHash: v.publicKeyHash, subject: v.subject };
  }

  private remember(cacheKey: string, v: Verified): void {
    if (this.cacheSize <= 0) return;
    const hit: VapidOutcome = Object.freeze({ kind: 'valid', ...this.fields(v), cacheHit: true });
    this.cache.set(cacheKey, { expSeconds: v.expSeconds, hit });
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
  }

  private verifyToken(token: string, keyText: string, nowSeconds: number): Verified | VapidOutcome {
    const publicKey = decodeBase64AnyAlphabet(keyText);
    if (publicKey === undefined || publicKey.length !== PUBLIC_KEY_BYTES || publicKey[0] !== 0x04) {
      return invalid('Invalid VAPID public key');
    }
    let keyObject: KeyObject;
    try {
      keyObject = createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: publicKey.subarray(1, 33).toString('base64url'),
          y: publicKey.subarray(33, 65).toString('base64url'),
        },
        format: 'jwk',
      });
    } catch {
      return invalid('Invalid VAPID public key');
    }

    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot === -1 || secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) {
      return invalid('Invalid VAPID token');
    }
    const header = parseJsonObject(token.slice(0, firstDot));
    const claims = parseJsonObject(token.slice(firstDot + 1, secondDot));
    const signature = decodeBase64UrlStrict(token.slice(secondDot + 1));
    if (header === undefined || claims === undefined || signature === undefined) {
      return invalid('Invalid VAPID token');
    }
    if (header['alg'] !== 'ES256') return invalid('VAPID token must be signed with ES256');
    if (signature.length !== SIGNATURE_BYTES) return invalid('Invalid VAPID signature');
    const signed = Buffer.from(token.slice(0, secondDot), 'latin1');
    if (
      !verifySignature('sha256', signed, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature)
    ) {
      return invalid('Invalid VAPID signature');
    }

    const exp = claims['exp'];
    if (typeof exp !== 'number' || !Number.isFinite(exp)) {
      return invalid(
        'A value in the vapid claims is either missing or incorrectly specified (exp)',
      );
    }
    if (exp < nowSeconds - EXP_LEEWAY_SECONDS) return invalid('The VAPID token has expired');
    if (exp > nowSeconds + MAX_EXP_AHEAD_SECONDS)
      return invalid('The VAPID token expiration is too long');
    const aud = claims['aud'];
    const audOk = aud === this.audience || (Array.isArray(aud) && aud.includes(this.audience));
    if (!audOk) return invalid('The VAPID token audience does not match this server');
    const sub = claims['sub'];

    return {
      publicKey,
      publicKeyHash: sha256(publicKey),
      subject: typeof sub === 'string' ? sub : undefined,
      expSeconds: exp,
    };
  }
}
