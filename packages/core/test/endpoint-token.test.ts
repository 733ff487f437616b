import { generateKeyPairSync } from 'node:crypto';
import {
  CryptoKeys,
  InvalidCryptoKeysError,
  decodeApplicationServerKey,
  endpointUrl,
  makeEndpointToken,
  newChannelId,
  newUaid,
  openEndpointToken,
  sha256,
} from '../src/index';

const keys = CryptoKeys.parse(CryptoKeys.generateKey());
const uaid = newUaid();
const channelId = newChannelId();

function rawPublicKey(): Buffer {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
    format: 'jwk',
  });
  return Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
}

/** Every string that differs from `token` in exactly one character (one per position). */
function singleCharacterTampers(token: string): string[] {
  return [...token].map((c, i) => token.slice(0, i) + (c === 'A' ? 'B' : 'A') + token.slice(i + 1));
}

describe('crypto keys', () => {
  it('parses a comma-separated list with spaces, quotes and brackets', () => {
    const a = CryptoKeys.generateKey();
    const b = CryptoKeys.generateKey();
    expect(CryptoKeys.parse(`[ "${a}", '${b}' ]`).size).toBe(2);
    expect(CryptoKeys.parse(`${a}=`).size).toBe(1);
  });

  it('names every bad key by position without echoing it', () => {
    const good = CryptoKeys.generateKey();
    const short = Buffer.alloc(16).toString('base64url');
    let error: unknown;
    try {
      CryptoKeys.parse(`${good},${short},not*base64`);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidCryptoKeysError);
    const message = (error as Error).message;
    expect(message).toContain('key 2 has 16 bytes');
    expect(message).toContain('key 3 is not base64url');
    expect(message).not.toContain(short);
  });

  it('refuses an empty list', () => {
    expect(() => CryptoKeys.parse(' [ ] ')).toThrow(InvalidCryptoKeysError);
  });

  it('seals to base64url without padding and opens what it sealed', () => {
    const sealed = keys.seal(Buffer.from('hello'));
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(keys.open(sealed)?.toString()).toBe('hello');
    expect(keys.seal(Buffer.from('hello'))).not.toBe(sealed);
  });

  it('opens nothing it did not seal, and never throws on garbage', () => {
    for (const garbage of ['', 'A', '!!!!', 'AAAA'.repeat(20), keys.seal(Buffer.alloc(0)) + '=']) {
      expect(keys.open(garbage)).toBeUndefined();
    }
  });
});

describe('endpoint tokens', () => {
  it('round-trips a v1 token', () => {
    const t = makeEndpointToken(keys, { uaid, channelId });
    expect(t.apiVersion).toBe(1);
    expect(openEndpointToken(keys, 1, t.token)).toEqual({ uaid, channelId });
  });

  it('round-trips a v2 token carrying SHA-256 of the application server key', () => {
    const appServerKey = rawPublicKey();
    const t = makeEndpointToken(keys, { uaid, channelId, appServerKey });
    expect(t.apiVersion).toBe(2);
    const opened = openEndpointToken(keys, 2, t.token);
    expect(opened?.uaid).toBe(uaid);
    expect(opened?.channelId).toBe(channelId);
    expect(opened?.appServerKeyHash?.equals(sha256(appServerKey))).toBe(true);
  });

  it('does not open a token with any single character changed', () => {
    for (const apiVersion of [1, 2] as const) {
      const t = makeEndpointToken(
        keys,
        apiVersion === 1 ? { uaid, channelId } : { uaid, channelId, appServerKey: rawPublicKey() },
      );
      for (const tampered of singleCharacterTampers(t.token)) {
        expect(openEndpointToken(keys, apiVersion, tampered)).toBeUndefined();
      }
    }
  });

  it('does not open a token with any single sealed byte changed', () => {
    const t = makeEndpointToken(keys, { uaid, channelId });
    const bytes = Buffer.from(t.token, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x01;
      expect(openEndpointToken(keys, 1, copy.toString('base64url'))).toBeUndefined();
    }
  });

  it('answers undefined when the plaintext length does not match the version', () => {
    const v1 = makeEndpointToken(keys, { uaid, channelId });
    const v2 = makeEndpointToken(keys, { uaid, channelId, appServerKey: rawPublicKey() });
    expect(openEndpointToken(keys, 2, v1.token)).toBeUndefined();
    expect(openEndpointToken(keys, 1, v2.token)).toBeUndefined();
  });

  it('opens a token made with an old key while the old key is still listed', () => {
    const oldKey = CryptoKeys.generateKey();
    const newKey = CryptoKeys.generateKey();
    const t = makeEndpointToken(CryptoKeys.parse(oldKey), { uaid, channelId });
    expect(openEndpointToken(CryptoKeys.parse(`${newKey},${oldKey}`), 1, t.token)).toEqual({
      uaid,
      channelId,
    });
    expect(openEndpointToken(CryptoKeys.parse(newKey), 1, t.token)).toBeUndefined();
  });

  it('seals new tokens with the first key only', () => {
    const oldKey = CryptoKeys.generateKey();
    const newKey = CryptoKeys.generateKey();
    const t = makeEndpointToken(CryptoKeys.parse(`${newKey},${oldKey}`), { uaid, channelId });
    expect(openEndpointToken(CryptoKeys.parse(newKey), 1, t.token)).toBeDefined();
    expect(openEndpointToken(CryptoKeys.parse(oldKey), 1, t.token)).toBeUndefined();
  });

  it('builds the endpoint URL under /wpush/v{n}/', () => {
    expect(endpointUrl('https://push.example.com', { apiVersion: 2, token: 'abc' })).toBe(
      'https://push.example.com/wpush/v2/abc',
    );
  });
});

describe('application server keys', () => {
  const raw = rawPublicKey();

  it('decodes a padded or unpadded base64url uncompressed point', () => {
    expect(decodeApplicationServerKey(raw.toString('base64url'))?.equals(raw)).toBe(true);
    expect(decodeApplicationServerKey(`${raw.toString('base64url')}=`)?.equals(raw)).toBe(true);
  });

  it('rejects keys of the wrong size or shape', () => {
    expect(decodeApplicationServerKey(raw.subarray(0, 64).toString('base64url'))).toBeUndefined();
    const compressedTag = Buffer.from(raw);
    compressedTag[0] = 0x02;
    expect(decodeApplicationServerKey(compressedTag.toString('base64url'))).toBeUndefined();
    expect(decodeApplicationServerKey('not base64!')).toBeUndefined();
  });
});
