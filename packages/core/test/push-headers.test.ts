import {
  parseCryptoKey,
  parsePushHeaders,
  type PushErrorCode,
  type PushHeaderValues,
} from '../src/index';

const MAX_TTL = 2_592_000;

function parse(h: PushHeaderValues, bodyBytes = 0): ReturnType<typeof parsePushHeaders> {
  return parsePushHeaders(h, { bodyBytes, maxTtlSeconds: MAX_TTL });
}

function rejectionCode(h: PushHeaderValues, bodyBytes = 0): PushErrorCode | undefined {
  const outcome = parse(h, bodyBytes);
  return outcome.ok ? undefined : outcome.rejection.code;
}

describe('TTL', () => {
  it('is required and must be an integer', () => {
    expect(rejectionCode({})).toBe('ttl-missing');
    expect(rejectionCode({ ttl: '' })).toBe('ttl-missing');
    expect(rejectionCode({ ttl: 'soon' })).toBe('ttl-missing');
    expect(rejectionCode({ ttl: '1.5' })).toBe('ttl-missing');
  });

  it('must not be negative', () => {
    expect(rejectionCode({ ttl: '-1' })).toBe('ttl-negative');
  });

  it('is clamped to 30 days', () => {
    expect(parse({ ttl: '99999999' })).toMatchObject({ ok: true, ttlSeconds: MAX_TTL });
    expect(parse({ ttl: '60' })).toMatchObject({ ok: true, ttlSeconds: 60 });
    expect(parse({ ttl: '0' })).toMatchObject({ ok: true, ttlSeconds: 0 });
  });

  it('is checked before Topic and Urgency', () => {
    expect(rejectionCode({ topic: '!!', urgency: 'now' })).toBe('ttl-missing');
  });
});

describe('Topic', () => {
  it('accepts up to 32 URL-safe base64 characters with trailing padding', () => {
    expect(parse({ ttl: '1', topic: 'a'.repeat(32) })).toMatchObject({
      ok: true,
      topic: 'a'.repeat(32),
    });
    expect(parse({ ttl: '1', topic: 'Ab_-9==' })).toMatchObject({ ok: true, topic: 'Ab_-9==' });
  });

  it.each([['a'.repeat(33)], ['has space'], ['a=b'], ['plus+'], ['']])(
    'rejects %p with errno 113',
    (topic) => {
      expect(rejectionCode({ ttl: '1', topic })).toBe('topic-invalid');
    },
  );

  it('is absent from the outcome when not sent', () => {
    const outcome = parse({ ttl: '1' });
    expect(outcome.ok && 'topic' in outcome).toBe(false);
  });
});

describe('Urgency', () => {
  it('defaults to normal', () => {
    expect(parse({ ttl: '1' })).toMatchObject({ ok: true, urgency: 'normal' });
  });

  it.each(['very-low', 'low', 'normal', 'high'])('accepts %s', (urgency) => {
    expect(parse({ ttl: '1', urgency })).toMatchObject({ ok: true, urgency });
  });

  it('rejects anything else with errno 115', () => {
    expect(rejectionCode({ ttl: '1', urgency: 'urgent' })).toBe('urgency-invalid');
  });
});

describe('encryption headers', () => {
  it('are ignored entirely for an empty body', () => {
    const outcome = parse(
      { ttl: '1', contentEncoding: 'bogus', encryption: 'x', cryptoKey: 'y' },
      0,
    );
    expect(outcome).toEqual({ ok: true, ttlSeconds: 1, urgency: 'normal' });
  });

  it('require a Content-Encoding of aes128gcm or aesgcm for a non-empty body', () => {
    expect(rejectionCode({ ttl: '1' }, 10)).toBe('encryption-headers');
    expect(rejectionCode({ ttl: '1', contentEncoding: 'AES128GCM' }, 10)).toBe(
      'encryption-headers',
    );
    expect(rejectionCode({ ttl: '1', contentEncoding: 'aesgcm128' }, 10)).toBe(
      'encryption-headers',
    );
  });

  it('accept aes128gcm alone and forward only the encoding', () => {
    expect(parse({ ttl: '1', contentEncoding: 'aes128gcm' }, 10)).toMatchObject({
      ok: true,
      headers: { encoding: 'aes128gcm' },
    });
  });

  it('forbid salt in Encryption and dh in Crypto-Key for aes128gcm', () => {
    expect(
      rejectionCode({ ttl: '1', contentEncoding: 'aes128gcm', encryption: 'salt=abc' }, 10),
    ).toBe('encryption-headers');
    expect(rejectionCode({ ttl: '1', contentEncoding: 'aes128gcm', cryptoKey: 'dh=abc' }, 10)).toBe(
      'encryption-headers',
    );
  });

  it('pass a VAPID p256ecdsa Crypto-Key through for aes128gcm', () => {
    expect(
      parse({ ttl: '1', contentEncoding: 'aes128gcm', cryptoKey: 'p256ecdsa=BKey==' }, 10),
    ).toMatchObject({
      ok: true,
      headers: { encoding: 'aes128gcm', crypto_key: 'p256ecdsa=BKey' },
    });
  });

  it('require a base64url salt for aesgcm', () => {
    expect(rejectionCode({ ttl: '1', contentEncoding: 'aesgcm' }, 10)).toBe('encryption-headers');
    expect(rejectionCode({ ttl: '1', contentEncoding: 'aesgcm', encryption: 'rs=4096' }, 10)).toBe(
      'encryption-headers',
    );
    expect(rejectionCode({ ttl: '1', contentEncoding: 'aesgcm', encryption: 'salt=a+b' }, 10)).toBe(
      'encryption-headers',
    );
  });

  it('require dh in a Crypto-Key sent with aesgcm', () => {
    expect(
      rejectionCode(
        { ttl: '1', contentEncoding: 'aesgcm', encryption: 'salt=abc', cryptoKey: 'p256ecdsa=xyz' },
        10,
      ),
    ).toBe('encryption-headers');
  });

  it('reject a Crypto-Key item without =', () => {
    expect(
      rejectionCode(
        { ttl: '1', contentEncoding: 'aesgcm', encryption: 'salt=abc', cryptoKey: 'dh' },
        10,
      ),
    ).toBe('encryption-headers');
  });

  it('are forwarded with quotes removed and base64 padding stripped', () => {
    const outcome = parse(
      {
        ttl: '1',
        contentEncoding: 'aesgcm',
        encryption: 'salt="abc=="',
        cryptoKey: 'dh="BPad=";p256ecdsa="BKey=="',
      },
      10,
    );
    expect(outcome).toMatchObject({
      ok: true,
      headers: { encoding: 'aesgcm', encryption: 'salt=abc', crypto_key: 'dh=BPad;p256ecdsa=BKey' },
    });
  });

  it('strip padding before a section separator too', () => {
    const outcome = parse(
      {
        ttl: '1',
        contentEncoding: 'aesgcm',
        encryption: 'salt=ab==,rs=4096',
        cryptoKey: 'dh=x=,p256ecdsa=y',
      },
      10,
    );
    expect(outcome).toMatchObject({
      headers: { encryption: 'salt=ab,rs=4096', crypto_key: 'dh=x,p256ecdsa=y' },
    });
  });
});

describe('Crypto-Key syntax', () => {
  it('parses sections of items, trimming spaces and quotes from values', () => {
    const sections = parseCryptoKey('dh="abc=" ; keyid=p256dh, p256ecdsa=xyz');
    expect(sections?.map((s) => Object.fromEntries(s))).toEqual([
      { dh: 'abc=', keyid: 'p256dh' },
      { p256ecdsa: 'xyz' },
    ]);
  });

  it('rejects an item without =', () => {
    expect(parseCryptoKey('dh=abc;oops')).toBeUndefined();
  });
});
