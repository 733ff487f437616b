import { createECDH } from 'node:crypto';
import * as webpush from 'web-push';
import {
  decryptAes128gcm,
  decryptPush,
  decryptWebPushAes128gcm,
  generateSubscriptionKeys,
} from '../src/ece';
import type { SubscriptionKeys } from '../src/ece';

const b64u = (s: string): Buffer => Buffer.from(s, 'base64url');

describe('push body decryption', () => {
  it('decrypts the RFC 8188 §3.1 example (one record, key given directly)', () => {
    const body = b64u('I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg');
    expect(decryptAes128gcm(body, b64u('yqdlZ-tYemfogSmv7Ws5PQ')).toString()).toBe(
      'I am the walrus',
    );
  });

  it('decrypts the RFC 8291 §5 Web Push example with the user agent keys and auth secret', () => {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(b64u('q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94'));
    const keys: SubscriptionKeys = {
      privateKey: ecdh.getPrivateKey(),
      publicKey: ecdh.getPublicKey(),
      authSecret: b64u('BTBZMqHH6r4Tts7J_aSIgg'),
    };
    expect(keys.publicKey.toString('base64url')).toBe(
      'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
    );
    const body = b64u(
      'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
    );
    expect(decryptWebPushAes128gcm(body, keys).toString()).toBe(
      'When I grow up, I want to be a watermelon',
    );
  });

  it('refuses a body whose tag does not verify', () => {
    const body = b64u('I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg');
    body.writeUInt8(body.readUInt8(body.length - 1) ^ 1, body.length - 1);
    expect(() => decryptAes128gcm(body, b64u('yqdlZ-tYemfogSmv7Ws5PQ'))).toThrow();
  });

  it.each(['aes128gcm', 'aesgcm'] as const)(
    'decrypts what web-push encrypts with %s, as it reaches a notification frame',
    (contentEncoding) => {
      const keys = generateSubscriptionKeys();
      const subscription = {
        endpoint: 'http://push.example/wpush/v1/x',
        keys: {
          p256dh: keys.publicKey.toString('base64url'),
          auth: keys.authSecret.toString('base64url'),
        },
      };
      const payload = 'x'.repeat(3000) + ' the end';
      const details = webpush.generateRequestDetails(subscription, payload, {
        contentEncoding,
        TTL: 60,
      });
      const headers = details.headers as Record<string, string>;
      // The push service strips quotes and base64 padding (push-protocol.md §2.6).
      const clean = (v: string | undefined): string | undefined =>
        v?.replace(/"/g, '').replace(/=+(?=[,;]|$)/g, '');
      const frameHeaders =
        contentEncoding === 'aes128gcm'
          ? { encoding: contentEncoding }
          : {
              encoding: contentEncoding,
              encryption: clean(headers['Encryption']),
              crypto_key: clean(headers['Crypto-Key']),
            };
      const data = Buffer.from(details.body).toString('base64url');
      expect(decryptPush({ data, headers: frameHeaders }, keys).toString()).toBe(payload);
    },
  );
});
