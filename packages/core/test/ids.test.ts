import {
  channelIdFromBytes,
  newChannelId,
  newNodeId,
  newUaid,
  parseChannelId,
  parseChannelIdLenient,
  parseNodeId,
  parseUaid,
  uaidFromBytes,
  uuidBytes,
} from '../src/index';

const DASHED = 'd9b74644-4f97-46aa-b8fa-9393985cd6cd';
const UNDASHED = 'd9b746444f9746aab8fa9393985cd6cd';

describe('uaid parsing', () => {
  it('accepts the undashed form unchanged', () => {
    expect(parseUaid(UNDASHED)).toBe(UNDASHED);
  });

  it('accepts dashed and uppercase forms and returns 32 lowercase hex digits', () => {
    expect(parseUaid(DASHED)).toBe(UNDASHED);
    expect(parseUaid(DASHED.toUpperCase())).toBe(UNDASHED);
    expect(parseUaid(UNDASHED.toUpperCase())).toBe(UNDASHED);
  });

  it.each([
    ['an empty string', ''],
    ['null', null],
    ['a number', 42],
    ['a short hex string', UNDASHED.slice(1)],
    ['a non-hex character', 'g' + UNDASHED.slice(1)],
    ['dashes in the wrong places', 'd9b7464-44f97-46aa-b8fa-9393985cd6cd'],
    ['braces', `{${DASHED}}`],
  ])('rejects %s', (_name, input) => {
    expect(parseUaid(input)).toBeUndefined();
  });

  it('mints fresh uaids in the canonical form', () => {
    const uaid = newUaid();
    expect(uaid).toMatch(/^[0-9a-f]{32}$/);
    expect(parseUaid(uaid)).toBe(uaid);
    expect(newUaid()).not.toBe(uaid);
  });
});

describe('channel id parsing', () => {
  it('strictly accepts only the lowercase dashed form', () => {
    expect(parseChannelId(DASHED)).toBe(DASHED);
    expect(parseChannelId(DASHED.toUpperCase())).toBeUndefined();
    expect(parseChannelId(UNDASHED)).toBeUndefined();
    expect(parseChannelId(42)).toBeUndefined();
  });

  it('leniently turns any UUID form into the canonical one', () => {
    expect(parseChannelIdLenient(DASHED)).toBe(DASHED);
    expect(parseChannelIdLenient(DASHED.toUpperCase())).toBe(DASHED);
    expect(parseChannelIdLenient(UNDASHED)).toBe(DASHED);
    expect(parseChannelIdLenient('not-a-uuid')).toBeUndefined();
    expect(parseChannelIdLenient(undefined)).toBeUndefined();
  });

  it('mints fresh channel ids that the strict parser accepts', () => {
    const id = newChannelId();
    expect(parseChannelId(id)).toBe(id);
  });
});

describe('UUID bytes', () => {
  it('round-trips a uaid and a channel id through 16 bytes', () => {
    const uaid = parseUaid(UNDASHED)!;
    const channelId = parseChannelId(DASHED)!;
    expect(uuidBytes(uaid)).toHaveLength(16);
    expect(uuidBytes(channelId).equals(uuidBytes(uaid))).toBe(true);
    expect(uaidFromBytes(uuidBytes(uaid))).toBe(uaid);
    expect(channelIdFromBytes(uuidBytes(channelId))).toBe(channelId);
  });

  it('refuses a byte string that is not 16 bytes long', () => {
    expect(() => uaidFromBytes(Buffer.alloc(15))).toThrow(RangeError);
  });
});

describe('node ids', () => {
  it('accepts 1 to 64 letters, digits, dashes and underscores', () => {
    expect(parseNodeId('conn-1_a')).toBe('conn-1_a');
    expect(parseNodeId('a'.repeat(64))).toBe('a'.repeat(64));
    expect(parseNodeId('a'.repeat(65))).toBeUndefined();
    expect(parseNodeId('')).toBeUndefined();
    expect(parseNodeId('a.b')).toBeUndefined();
    expect(parseNodeId(7)).toBeUndefined();
  });

  it('builds a valid node id from a host name with a random suffix', () => {
    const id = newNodeId('push-1.example.com');
    expect(id).toMatch(/^push-1-example-com-[0-9a-z]{6}$/);
    expect(parseNodeId(id)).toBe(id);
    expect(newNodeId('push-1.example.com')).not.toBe(id);
  });

  it('keeps a node id from a very long or empty host name within the rules', () => {
    expect(parseNodeId(newNodeId('h'.repeat(300)))).toBeDefined();
    expect(newNodeId('')).toMatch(/^node-[0-9a-z]{6}$/);
  });
});
