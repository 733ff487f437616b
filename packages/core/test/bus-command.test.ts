import {
  encodeNodeCommand,
  newChannelId,
  newUaid,
  parseNodeCommand,
  storageKeyFor,
  type MessageId,
  type NodeCommand,
  type NodeId,
  type Notification,
} from '../src/index';

const uaid = newUaid();
const channelId = newChannelId();
const notification: Notification = {
  uaid,
  channelId,
  messageId: 'AQabc-_x' as MessageId,
  storageKey: storageKeyFor({ channelId, receivedAtUs: 1_700_000_000_000_000, writerId: 1 }),
  ttlSeconds: 60,
  receivedAtMs: 1_700_000_000_000,
  urgency: 'high',
  data: 'AAECAw',
  headers: { encoding: 'aes128gcm' },
};

const commands: [string, NodeCommand][] = [
  ['deliver with data', { type: 'deliver', notification, hops: 0 }],
  [
    'deliver without data, with a topic',
    {
      type: 'deliver',
      notification: {
        ...notification,
        data: undefined,
        headers: undefined,
        topic: 't',
        storageKey: `01:${channelId}:t`,
      },
      hops: 1,
    },
  ],
  ['check-storage', { type: 'check-storage', uaid }],
  [
    'disconnect',
    { type: 'disconnect', uaid, newOwner: { nodeId: 'node-b' as NodeId, connectedAtMs: 123 } },
  ],
  [
    'broadcasts-changed',
    { type: 'broadcasts-changed', broadcasts: { 'remote-settings/x': '"2"' } },
  ],
];

/** The command as it looks after a JSON round trip (undefined fields vanish). */
function plain(c: NodeCommand): unknown {
  return JSON.parse(JSON.stringify(c));
}

describe('bus commands', () => {
  it.each(commands)('round-trips %s', (_name, command) => {
    expect(parseNodeCommand(encodeNodeCommand(command))).toEqual(plain(command));
  });

  /** A command's wire JSON, loosely typed so tests can break it. */
  interface Wire {
    hops: unknown;
    notification: Record<string, unknown> & { headers: Record<string, unknown> };
    newOwner: Record<string, unknown>;
  }

  function tweak(change: (c: Wire) => void, base: NodeCommand = commands[0]![1]): string {
    const c = JSON.parse(encodeNodeCommand(base)) as Wire;
    change(c);
    return JSON.stringify(c);
  }

  it.each([
    ['invalid JSON', '{'],
    ['a JSON array', '[]'],
    ['an unknown type', '{"type":"explode"}'],
    ['a negative hops', tweak((c) => (c.hops = -1))],
    ['a fractional hops', tweak((c) => (c.hops = 0.5))],
    ['a dashed uaid', tweak((c) => (c.notification.uaid = channelId))],
    ['an undashed channel id', tweak((c) => (c.notification.channelId = uaid))],
    [
      'a message id with JSON-breaking characters',
      tweak((c) => (c.notification.messageId = 'a"b')),
    ],
    ['an empty storage key', tweak((c) => (c.notification.storageKey = ''))],
    ['a string TTL', tweak((c) => (c.notification.ttlSeconds = '60'))],
    ['an unknown urgency', tweak((c) => (c.notification.urgency = 'asap'))],
    [
      'data without headers',
      tweak((c) => delete (c.notification as Record<string, unknown>)['headers']),
    ],
    ['headers without data', tweak((c) => delete c.notification.data)],
    ['an unknown encoding', tweak((c) => (c.notification.headers.encoding = 'gzip'))],
    ['data that is not base64url', tweak((c) => (c.notification.data = 'AA=='))],
    ['a check-storage without uaid', '{"type":"check-storage"}'],
    ['a disconnect with a bad node id', tweak((c) => (c.newOwner.nodeId = 'a.b'), commands[3]![1])],
    [
      'a disconnect without connectedAtMs',
      tweak((c) => delete c.newOwner.connectedAtMs, commands[3]![1]),
    ],
    ['broadcasts with a non-string version', '{"type":"broadcasts-changed","broadcasts":{"a":1}}'],
  ])('rejects %s', (_name, text) => {
    expect(parseNodeCommand(text)).toBeUndefined();
  });

  it('drops unknown fields of a notification', () => {
    const parsed = parseNodeCommand(tweak((c) => (c.notification['extra'] = 'x')));
    expect(parsed?.type === 'deliver' && 'extra' in parsed.notification).toBe(false);
  });
});
