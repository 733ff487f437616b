import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { VapidVerifier, sha256, type Clock, type VapidOutcome } from '../src/index';

const AUDIENCE = 'https://push.example.com';
const NOW_SECONDS = 1_700_000_000;

interface SenderKeys {
  readonly privateKey: KeyObject;
  /** Raw uncompressed point as base64url. */
  readonly publicKey: string;
  readonly raw: Buffer;
}

function senderKeys(): SenderKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  return { privateKey, publicKey: raw.toString('base64url'), raw };
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(
  keys: SenderKeys,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { typ: 'JWT', alg: 'ES256' },
): string {
  const signingInput = `${b64json(header)}.${b64json(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), {
    key: keys.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signingInput}.${signature.toString('base64url')}`;
}

function goodClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aud: AUDIENCE,
    exp: NOW_SECONDS + 12 * 3600,
    sub: 'mailto:ops@example.com',
    ...overrides,
  };
}

/** The part of web-push's API this file uses (its types live with @herald/testkit). */
interface WebPushVapid {
  generateVAPIDKeys(): { publicKey: string; privateKey: string };
  getVapidHeaders(
    audience: string,
    subject: string,
    publicKey: string,
    privateKey: string,
    contentEncoding: 'aes128gcm' | 'aesgcm',
    expiration: number,
  ): { Authorization: string; 'Crypto-Key'?: string };
}

class TestClock implements Clock {
  constructor(public seconds: number) {}
  nowMs(): number {
    return this.seconds * 1000;
  }
}

function verifier(clock: Clock = new TestClock(NOW_SECONDS)): VapidVerifier {
  return new VapidVerifier({ audience: AUDIENCE, clock });
}

function expectInvalid(
  outcome: VapidOutcome,
  code: 'vapid-invalid' | 'encryption-headers' = 'vapid-invalid',
): void {
  expect(outcome.kind).toBe('invalid');
  if (outcome.kind === 'invalid') expect(outcome.rejection.code).toBe(code);
}

const sender = senderKeys();

describe('VAPID verification', () => {
  it('answers absent without an Authorization header', () => {
    expect(verifier().verify({})).toEqual({ kind: 'absent' });
  });

  it('accepts `vapid t=,k=` and reports the key, its hash and the subject', () => {
    const outcome = verifier().verify({
      authorization: `vapid t=${jwt(sender, goodClaims())}, k=${sender.publicKey}`,
    });
    expect(outcome).toEqual({
      kind: 'valid',
      publicKey: sender.raw,
      publicKeyHash: sha256(sender.raw),
      subject: 'mailto:ops@example.com',
      cacheHit: false,
    });
  });

  it('accepts the draft `WebPush` scheme with the key in Crypto-Key p256ecdsa', () => {
    const outcome = verifier().verify({
      authorization: `WebPush ${jwt(sender, goodClaims())}`,
      cryptoKey: `dh=BAbc;p256ecdsa="${sender.publicKey}"`,
    });
    expect(outcome.kind).toBe('valid');
  });

  it('accepts the `Bearer` scheme with p256ecdsa in a later Crypto-Key section', () => {
    const outcome = verifier().verify({
      authorization: `Bearer ${jwt(sender, goodClaims())}`,
      cryptoKey: `dh=BAbc, p256ecdsa=${sender.publicKey}`,
    });
    expect(outcome.kind).toBe('valid');
  });

  it('answers 400/110 when a draft scheme has no usable Crypto-Key', () => {
    const authorization = `WebPush ${jwt(sender, goodClaims())}`;
    expectInvalid(verifier().verify({ authorization }), 'encryption-headers');
    expectInvalid(verifier().verify({ authorization, cryptoKey: 'dh=abc' }), 'encryption-headers');
    expectInvalid(verifier().verify({ authorization, cryptoKey: 'garbage' }), 'encryption-headers');
  });

  it('accepts a standard-base64 key with + and / and padding', () => {
    let keys = senderKeys();
    // About one key in 60 has neither + nor / in standard base64; draw until it has.
    while (!/[+/]/.test(keys.raw.toString('base64'))) keys = senderKeys();
    const k = `${keys.raw.toString('base64')}==`;
    const outcome = verifier().verify({
      authorization: `vapid t=${jwt(keys, goodClaims())},k=${k}`,
    });
    expect(outcome.kind).toBe('valid');
  });

  it('rejects an unknown scheme or a header without a token', () => {
    expectInvalid(verifier().verify({ authorization: `Basic ${jwt(sender, goodClaims())}` }));
    expectInvalid(verifier().verify({ authorization: 'vapid' }));
    expectInvalid(verifier().verify({ authorization: `vapid k=${sender.publicKey}` }));
    expectInvalid(verifier().verify({ authorization: `vapid t=${jwt(sender, goodClaims())}` }));
  });

  it('rejects a token that expired more than a minute ago', () => {
    const authorization = (exp: number): string =>
      `vapid t=${jwt(sender, goodClaims({ exp }))},k=${sender.publicKey}`;
    expect(verifier().verify({ authorization: authorization(NOW_SECONDS - 30) }).kind).toBe(
      'valid',
    );
    expectInvalid(verifier().verify({ authorization: authorization(NOW_SECONDS - 61) }));
  });

  it('rejects a token whose exp is more than 24 h ahead', () => {
    const authorization = `vapid t=${jwt(sender, goodClaims({ exp: NOW_SECONDS + 25 * 3600 }))},k=${sender.publicKey}`;
    expectInvalid(verifier().verify({ authorization }));
  });

  it('rejects a missing or non-numeric exp', () => {
    for (const exp of [undefined, String(NOW_SECONDS + 60), null]) {
      const authorization = `vapid t=${jwt(sender, goodClaims({ exp }))},k=${sender.publicKey}`;
      expectInvalid(verifier().verify({ authorization }));
    }
  });

  it('rejects a wrong audience, including one with a trailing slash', () => {
    for (const aud of ['https://other.example.com', `${AUDIENCE}/`, undefined]) {
      const authorization = `vapid t=${jwt(sender, goodClaims({ aud }))},k=${sender.publicKey}`;
      expectInvalid(verifier().verify({ authorization }));
    }
  });

  it('accepts an audience array that contains this server', () => {
    const authorization = `vapid t=${jwt(sender, goodClaims({ aud: ['https://a.example', AUDIENCE] }))},k=${sender.publicKey}`;
    expect(verifier().verify({ authorization }).kind).toBe('valid');
  });

  it('rejects a token signed by another key than the one presented', () => {
    const authorization = `vapid t=${jwt(senderKeys(), goodClaims())},k=${sender.publicKey}`;
    expectInvalid(verifier().verify({ authorization }));
  });

  it('rejects a malformed public key', () => {
    const token = jwt(sender, goodClaims());
    expectInvalid(
      verifier().verify({
        authorization: `vapid t=${token},k=${sender.raw.subarray(0, 33).toString('base64url')}`,
      }),
    );
    const offCurve = Buffer.from(sender.raw);
    offCurve[64] = offCurve[64]! ^ 0x01;
    expectInvalid(
      verifier().verify({ authorization: `vapid t=${token},k=${offCurve.toString('base64url')}` }),
    );
  });

  it('rejects a bad signature', () => {
    const token = jwt(sender, goodClaims());
    const [header, claims, signature] = token.split('.') as [string, string, string];
    const sig = Buffer.from(signature, 'base64url');
    sig[10] = sig[10]! ^ 0x01;
    expectInvalid(
      verifier().verify({
        authorization: `vapid t=${header}.${claims}.${sig.toString('base64url')},k=${sender.publicKey}`,
      }),
    );
    // Claims changed after signing.
    const forged = `${header}.${b64json(goodClaims({ sub: 'mailto:x@example.com' }))}.${signature}`;
    expectInvalid(verifier().verify({ authorization: `vapid t=${forged},k=${sender.publicKey}` }));
  });

  it('rejects any alg but ES256', () => {
    for (const alg of ['HS256', 'ES384', 'none']) {
      const authorization = `vapid t=${jwt(sender, goodClaims(), { typ: 'JWT', alg })},k=${sender.publicKey}`;
      expectInvalid(verifier().verify({ authorization }));
    }
  });

  it('rejects a DER-encoded signature (JWS carries raw r‖s)', () => {
    const signingInput = `${b64json({ typ: 'JWT', alg: 'ES256' })}.${b64json(goodClaims())}`;
    const der = sign('sha256', Buffer.from(signingInput), sender.privateKey);
    const authorization = `vapid t=${signingInput}.${der.toString('base64url')},k=${sender.publicKey}`;
    expectInvalid(verifier().verify({ authorization }));
  });

  it('accepts headers built by the web-push library', async () => {
    // web-push is a dependency of @herald/testkit; core does not depend on it.
    const webPush = (await import(
      require.resolve('web-push', { paths: [path.join(__dirname, '../../testkit')] })
    )) as WebPushVapid;
    const keys = webPush.generateVAPIDKeys();
    const expSeconds = Math.floor(Date.now() / 1000) + 3600;
    const headers = webPush.getVapidHeaders(
      AUDIENCE,
      'mailto:ops@example.com',
      keys.publicKey,
      keys.privateKey,
      'aes128gcm',
      expSeconds,
    );
    const live = new VapidVerifier({ audience: AUDIENCE, clock: { nowMs: () => Date.now() } });
    const outcome = live.verify({ authorization: headers.Authorization });
    expect(outcome.kind).toBe('valid');
    if (outcome.kind === 'valid')
      expect(outcome.publicKey.toString('base64url')).toBe(keys.publicKey);

    const legacy = webPush.getVapidHeaders(
      AUDIENCE,
      'mailto:ops@example.com',
      keys.publicKey,
      keys.privateKey,
      'aesgcm',
      expSeconds,
    );
    const legacyOutcome = live.verify({
      authorization: legacy.Authorization,
      cryptoKey: legacy['Crypto-Key'],
    });
    expect(legacyOutcome.kind).toBe('valid');
  });
});

describe('the cache of verified tokens', () => {
  it('answers a second verify of the same header from the cache', () => {
    const v = verifier();
    const authorization = `vapid t=${jwt(sender, goodClaims())},k=${sender.publicKey}`;
    expect(v.verify({ authorization })).toMatchObject({ kind: 'valid', cacheHit: false });
    expect(v.verify({ authorization })).toMatchObject({
      kind: 'valid',
      cacheHit: true,
      subject: 'mailto:ops@example.com',
    });
  });

  it('keys draft-scheme entries on the p256ecdsa key, not on the per-message dh', () => {
    const v = verifier();
    const authorization = `WebPush ${jwt(sender, goodClaims())}`;
    expect(
      v.verify({ authorization, cryptoKey: `dh=AAAA;p256ecdsa=${sender.publicKey}` }),
    ).toMatchObject({ cacheHit: false });
    expect(
      v.verify({ authorization, cryptoKey: `dh=BBBB;p256ecdsa=${sender.publicKey}` }),
    ).toMatchObject({ cacheHit: true });
    expectInvalid(
      v.verify({ authorization, cryptoKey: `dh=BBBB;p256ecdsa=${senderKeys().publicKey}` }),
    );
  });

  it('does not accept a cached token once the clock passes its exp', () => {
    const clock = new TestClock(NOW_SECONDS);
    const v = verifier(clock);
    const exp = NOW_SECONDS + 600;
    const authorization = `vapid t=${jwt(sender, goodClaims({ exp }))},k=${sender.publicKey}`;
    expect(v.verify({ authorization })).toMatchObject({ kind: 'valid' });
    clock.seconds = exp;
    expect(v.verify({ authorization })).toMatchObject({ kind: 'valid', cacheHit: true });
    clock.seconds = exp + 30; // inside the leeway: verified again, not from the cache
    expect(v.verify({ authorization })).toMatchObject({ kind: 'valid', cacheHit: false });
    clock.seconds = exp + 61;
    expectInvalid(v.verify({ authorization }));
  });

  it('evicts the least recently used entry when full', () => {
    const v = new VapidVerifier({
      audience: AUDIENCE,
      clock: new TestClock(NOW_SECONDS),
      cacheSize: 2,
    });
    const headers = [1, 2, 3].map(
      (i) => `vapid t=${jwt(sender, goodClaims({ exp: NOW_SECONDS + i }))},k=${sender.publicKey}`,
    );
    const [a, b, c] = headers as [string, string, string];
    v.verify({ authorization: a });
    v.verify({ authorization: b });
    v.verify({ authorization: a }); // a is now the most recent
    v.verify({ authorization: c }); // evicts b
    expect(v.verify({ authorization: a })).toMatchObject({ cacheHit: true });
    expect(v.verify({ authorization: b })).toMatchObject({ cacheHit: false });
  });
});
