import {
  CryptoKeys,
  MonotonicMicros,
  newChannelId,
  newUaid,
  openMessageId,
  originOf,
  sealMessageId,
  storageKeyFor,
} from '../src/index';

const keys = CryptoKeys.parse(CryptoKeys.generateKey());
const uaid = newUaid();
const channelId = newChannelId();

describe('storage keys', () => {
  it('puts a topic message under 01:{channel}:{topic}', () => {
    expect(storageKeyFor({ channelId, topic: 'news', receivedAtUs: 5, writerId: 0xab })).toBe(
      `01:${channelId}:news`,
    );
  });

  it('puts other messages under 02:{16-digit µs}:{channel}, sorting by arrival', () => {
    const early = storageKeyFor({ channelId, receivedAtUs: 999_999, writerId: 0xab });
    const late = storageKeyFor({ channelId, receivedAtUs: 1_700_000_000_000_000, writerId: 0xab });
    expect(early).toBe(`02:0000000000999999:000000ab:${channelId}`);
    expect(early < late).toBe(true);
    expect(storageKeyFor({ channelId, topic: 'z', receivedAtUs: 0, writerId: 0xab }) < early).toBe(
      true,
    );
  });
});

describe('message ids', () => {
  it.each([
    [
      'a timestamp key',
      storageKeyFor({ channelId, receivedAtUs: 1_700_000_000_123_456, writerId: 0xab }),
    ],
    [
      'a topic key',
      storageKeyFor({ channelId, topic: 'weather_1=', receivedAtUs: 0, writerId: 0xab }),
    ],
    ['any other key', 'legacy:row'],
  ])('round-trips %s', (_name, storageKey) => {
    const id = sealMessageId(keys, { uaid, channelId, storageKey });
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(openMessageId(keys, id)).toEqual({ uaid, channelId, storageKey });
  });

  it('does not open a message id with any single sealed byte changed', () => {
    const id = sealMessageId(keys, {
      uaid,
      channelId,
      storageKey: storageKeyFor({ channelId, receivedAtUs: 1, writerId: 0xab }),
    });
    const bytes = Buffer.from(id, 'base64url');
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x80;
      expect(openMessageId(keys, copy.toString('base64url'))).toBeUndefined();
    }
  });

  it('does not open a message id sealed with another key, or garbage', () => {
    const other = CryptoKeys.parse(CryptoKeys.generateKey());
    const id = sealMessageId(other, { uaid, channelId, storageKey: `01:${channelId}:t` });
    expect(openMessageId(keys, id)).toBeUndefined();
    expect(openMessageId(keys, 'garbage')).toBeUndefined();
  });

  it('does not open an endpoint token as a message id', () => {
    const token = keys.seal(Buffer.alloc(32));
    expect(openMessageId(keys, token)).toBeUndefined();
  });
});

describe('monotonic microseconds', () => {
  it('increases strictly within one millisecond', () => {
    const clock = new MonotonicMicros();
    const a = clock.next(1000);
    const b = clock.next(1000);
    expect(a).toBe(1_000_000);
    expect(b).toBe(1_000_001);
  });

  it('keeps increasing when the wall clock steps back', () => {
    const clock = new MonotonicMicros();
    const a = clock.next(5000);
    expect(clock.next(4000)).toBeGreaterThan(a);
    expect(clock.next(6000)).toBe(6_000_000);
  });
});

describe('origins', () => {
  it.each([
    ['https://push.example.com/', 'https://push.example.com'],
    ['https://Push.Example.com:443/path?q', 'https://push.example.com'],
    ['http://localhost:8082', 'http://localhost:8082'],
    ['http://localhost:80/', 'http://localhost'],
  ])('%s has origin %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });

  it('throws on a URL that is not http(s) or not a URL', () => {
    expect(() => originOf('ws://localhost:8080')).toThrow(TypeError);
    expect(() => originOf('localhost:8082')).toThrow(TypeError);
    expect(() => originOf('not a url')).toThrow(TypeError);
  });
});
