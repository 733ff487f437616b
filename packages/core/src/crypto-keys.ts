import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { decodeBase64UrlPadded, decodeBase64UrlStrict } from './base64';
import { InvalidCryptoKeysError } from './errors';

const FORMAT_VERSION = 0x01;
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const OVERHEAD_BYTES = 1 + NONCE_BYTES + TAG_BYTES;
/** Separators and decoration tolerated around keys (`[a,b]`, `"a", "b"`, spaces). */
const DECORATION = /[\s"'[\]]+/g;
/**
 * Nonces are cut from one block of CSPRNG output instead of a `randomBytes` call per seal:
 * each call costs as much as a whole AES-GCM seal (it enters OpenSSL's locked RNG), and
 * every accepted push seals a message id. Each slice is used once, so nonces stay as
 * random and as unique as before.
 */
const NONCE_POOL_BYTES = NONCE_BYTES * 256;
let noncePool = Buffer.alloc(0);
let noncePoolOffset = 0;

function nextNonce(): Buffer {
  if (noncePoolOffset + NONCE_BYTES > noncePool.length) {
    noncePool = randomBytes(NONCE_POOL_BYTES);
    noncePoolOffset = 0;
  }
  const nonce = noncePool.subarray(noncePoolOffset, noncePoolOffset + NONCE_BYTES);
  noncePoolOffset += NONCE_BYTES;
  return nonce;
}

/**
 * The endpoint-token keys (`HERALD_CRYPTO_KEYS`): AES-256-GCM, the first key seals, every
 * key opens, so keys rotate by prepending a new one and keeping the old ones while their
 * tokens are still in use (autopush's MultiFernet rule, push-protocol.md §5.1).
 *
 * Sealed form: base64url without padding of `0x01 ‖ nonce(12) ‖ ciphertext ‖ tag(16)`.
 * The GCM tag authenticates the version byte and nonce indirectly (a changed nonce
 * yields a different keystream and tag), so any altered byte fails to open.
 */
export class CryptoKeys {
  private constructor(private readonly keys: readonly KeyObject[]) {}

  /**
   * Parses a comma-separated list of base64url 32-byte keys (padding allowed). Throws
   * {@link InvalidCryptoKeysError} naming every bad entry by position, never its value.
   */
  static parse(list: string): CryptoKeys {
    const entries = list
      .replace(DECORATION, '')
      .split(',')
      .filter((entry) => entry !== '');
    if (entries.length === 0) throw new InvalidCryptoKeysError('no endpoint-token keys given');
    const problems: string[] = [];
    const keys: KeyObject[] = [];
    entries.forEach((entry, index) => {
      const bytes = decodeBase64UrlPadded(entry);
      if (bytes === undefined) problems.push(`key ${index + 1} is not base64url`);
      else if (bytes.length !== KEY_BYTES)
        problems.push(`key ${index + 1} has ${bytes.length} bytes, expected ${KEY_BYTES}`);
      else keys.push(createSecretKey(bytes));
    });
    if (problems.length > 0)
      throw new InvalidCryptoKeysError(`invalid endpoint-token keys: ${problems.join('; ')}`);
    return new CryptoKeys(keys);
  }

  /** A fresh random key in the form `parse` accepts (base64url, no padding). */
  static generateKey(): string {
    return randomBytes(KEY_BYTES).toString('base64url');
  }

  /** How many keys open tokens (the first one also seals). */
  get size(): number {
    return this.keys.length;
  }

  /** Seals `plaintext` with the first key and a random nonce. */
  seal(plaintext: Buffer): string {
    const nonce = nextNonce();
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, nonce);
    const out = Buffer.allocUnsafe(OVERHEAD_BYTES + plaintext.length);
    out[0] = FORMAT_VERSION;
    nonce.copy(out, 1);
    let offset = 1 + NONCE_BYTES;
    offset += cipher.update(plaintext).copy(out, offset);
    offset += cipher.final().copy(out, offset);
    cipher.getAuthTag().copy(out, offset);
    return out.toString('base64url');
  }

  /**
   * The plaintext, or `undefined` when no key opens `sealed` (tampered, foreign, malformed
   * or non-canonical text). Never throws.
   */
  open(sealed: string): Buffer | undefined {
    const bytes = decodeBase64UrlStrict(sealed);
    if (bytes === undefined || bytes.length < OVERHEAD_BYTES || bytes[0] !== FORMAT_VERSION)
      return undefined;
    const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
    const ciphertext = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAuthTag(tag);
        const head = decipher.update(ciphertext);
        const tail = decipher.final();
        return tail.length === 0 ? head : Buffer.concat([head, tail]);
      } catch {
        // Wrong key or tampered: try the next key.
      }
    }
    return undefined;
  }
}
