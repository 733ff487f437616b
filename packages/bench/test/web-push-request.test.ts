/**
 * The generator's own aes128gcm encryption and VAPID signing must produce what a user
 * agent decrypts and what a verifier accepts, or the benchmark would measure refusals.
 */
import { createPublicKey, verify } from 'node:crypto';
import { decryptPush, generateSubscriptionKeys } from '@herald/testkit';
import {
  pushIdOfBody,
  pushIdOfData,
  SubscriptionCipher,
  VapidSigner,
} from '../src/load/web-push-request';

describe('the push generator’s requests', () => {
  it('encrypts bodies the user agent decrypts (RFC 8291 aes128gcm)', () => {
    const keys = generateSubscriptionKeys();
    const cipher = new SubscriptionCipher({
      endpoint: 'http://x/wpush/v2/t',
      p256dh: keys.publicKey.toString('base64url'),
      auth: keys.authSecret.toString('base64url'),
    });
    const body = cipher.encrypt(Buffer.from('{"seq":7}'));
    const plain = decryptPush(
      { data: body.toString('base64url'), headers: { encoding: 'aes128gcm' } },
      keys,
    );
    expect(plain.toString()).toBe('{"seq":7}');
  });

  it('identifies a push by the same id from its body and from the frame’s data', () => {
    const keys = generateSubscriptionKeys();
    const cipher = new SubscriptionCipher({
      endpoint: 'e',
      p256dh: keys.publicKey.toString('base64url'),
      auth: keys.authSecret.toString('base64url'),
    });
    const body = cipher.encrypt(Buffer.from('x'));
    expect(pushIdOfData(body.toString('base64url'))).toBe(pushIdOfBody(body));
  });

  it('signs VAPID tokens that verify with the advertised key, and the same signer survives export', () => {
    const signer = new VapidSigner();
    const copy = new VapidSigner({
      publicKey: signer.publicKey,
      privateKey: signer.exportPrivateKey(),
    });
    const header = copy.authorization('http://127.0.0.1:1', 2_000_000_000);
    const match = /^vapid t=([^.]+)\.([^.]+)\.([^,]+), k=(.+)$/.exec(header);
    expect(match?.[4]).toBe(signer.publicKey);
    const raw = Buffer.from(signer.publicKey, 'base64url');
    const key = createPublicKey({
      format: 'jwk',
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33).toString('base64url'),
      },
    });
    const ok = verify(
      'sha256',
      Buffer.from(`${match?.[1]}.${match?.[2]}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(match?.[3] ?? '', 'base64url'),
    );
    expect(ok).toBe(true);
  });
});
