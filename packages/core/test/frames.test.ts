import {
  PING_REPLY,
  broadcastFrame,
  helloReply,
  notificationFrame,
  parseClientFrame,
  registerReply,
  unregisterReply,
  type Notification,
  type Uaid,
} from '../src/index';

const CHID = 'd9b74644-4f97-46aa-b8fa-9393985cd6cd';
const UAID = '5f2c3b1e9d8a4c7b8e6f1a2b3c4d5e6f' as Uaid;

function frame(value: unknown): ReturnType<typeof parseClientFrame> {
  return parseClientFrame(typeof value === 'string' ? value : JSON.stringify(value));
}

describe('client frames', () => {
  it('parses the hello Firefox sends', () => {
    expect(
      frame({
        messageType: 'hello',
        broadcasts: { 'remote-settings/monitor_changes': '"1"' },
        use_webpush: true,
      }),
    ).toEqual({
      ok: true,
      frame: {
        type: 'hello',
        uaid: undefined,
        broadcasts: { 'remote-settings/monitor_changes': '"1"' },
        useWebpush: true,
      },
    });
  });

  it('parses a hello with a uaid and channel ids, without use_webpush', () => {
    expect(
      frame({ messageType: 'hello', uaid: UAID, channelIDs: [CHID, CHID.replaceAll('-', '')] }),
    ).toEqual({
      ok: true,
      frame: { type: 'hello', uaid: UAID, broadcasts: {} },
    });
  });

  it('treats a null or non-string hello uaid as absent', () => {
    expect(frame({ messageType: 'hello', uaid: null })).toMatchObject({
      ok: true,
      frame: { uaid: undefined },
    });
    expect(frame({ messageType: 'hello', uaid: 7 })).toMatchObject({
      ok: true,
      frame: { uaid: undefined },
    });
  });

  it('rejects a hello whose channelIDs hold a non-UUID', () => {
    expect(frame({ messageType: 'hello', channelIDs: [CHID, 'nope'] })).toEqual({ ok: false });
    expect(frame({ messageType: 'hello', channelIDs: CHID })).toEqual({ ok: false });
  });

  it('rejects a hello with wrongly typed broadcasts or use_webpush', () => {
    expect(frame({ messageType: 'hello', broadcasts: { a: 1 } })).toEqual({ ok: false });
    expect(frame({ messageType: 'hello', broadcasts: [] })).toEqual({ ok: false });
    expect(frame({ messageType: 'hello', use_webpush: 'yes' })).toEqual({ ok: false });
  });

  it('parses register with and without a key, treating "key": null as absent', () => {
    expect(frame({ messageType: 'register', channelID: CHID, key: 'BM3b=' })).toEqual({
      ok: true,
      frame: { type: 'register', channelId: CHID, key: 'BM3b=' },
    });
    expect(frame({ messageType: 'register', channelID: CHID, key: null })).toEqual({
      ok: true,
      frame: { type: 'register', channelId: CHID },
    });
  });

  it('leaves the strict channel id check of register to the session', () => {
    expect(frame({ messageType: 'register', channelID: CHID.toUpperCase() })).toMatchObject({
      ok: true,
    });
    expect(frame({ messageType: 'register' })).toEqual({ ok: false });
    expect(frame({ messageType: 'register', channelID: CHID, key: 5 })).toEqual({ ok: false });
  });

  it('parses unregister with any UUID form and an optional code', () => {
    expect(frame({ messageType: 'unregister', channelID: CHID.toUpperCase(), code: 200 })).toEqual({
      ok: true,
      frame: { type: 'unregister', channelId: CHID, code: 200 },
    });
    expect(frame({ messageType: 'unregister', channelID: 'x' })).toEqual({ ok: false });
    expect(frame({ messageType: 'unregister', channelID: CHID, code: -1 })).toEqual({ ok: false });
  });

  it('parses ack updates', () => {
    expect(
      frame({
        messageType: 'ack',
        updates: [
          { channelID: CHID, version: 'v1', code: 100 },
          { channelID: CHID, version: 'v2' },
        ],
      }),
    ).toEqual({
      ok: true,
      frame: {
        type: 'ack',
        updates: [
          { channelId: CHID, version: 'v1', code: 100 },
          { channelId: CHID, version: 'v2' },
        ],
      },
    });
  });

  it('rejects malformed ack updates', () => {
    expect(frame({ messageType: 'ack' })).toEqual({ ok: false });
    expect(frame({ messageType: 'ack', updates: [{ channelID: 'x', version: 'v' }] })).toEqual({
      ok: false,
    });
    expect(frame({ messageType: 'ack', updates: [{ channelID: CHID }] })).toEqual({ ok: false });
    expect(
      frame({ messageType: 'ack', updates: [{ channelID: CHID, version: 'v', code: 70000 }] }),
    ).toEqual({ ok: false });
    expect(frame({ messageType: 'ack', updates: ['v'] })).toEqual({ ok: false });
  });

  it('parses nack with an optional code', () => {
    expect(frame({ messageType: 'nack', version: 'v', code: 301 })).toEqual({
      ok: true,
      frame: { type: 'nack', version: 'v', code: 301 },
    });
    expect(frame({ messageType: 'nack', version: 'v' })).toEqual({
      ok: true,
      frame: { type: 'nack', version: 'v' },
    });
    expect(frame({ messageType: 'nack' })).toEqual({ ok: false });
  });

  it('treats {} and messageType ping as pings', () => {
    expect(frame('{}')).toEqual({ ok: true, frame: { type: 'ping' } });
    expect(frame({ messageType: 'ping' })).toEqual({ ok: true, frame: { type: 'ping' } });
  });

  it('rejects an object without messageType that is not empty', () => {
    expect(frame({ uaid: UAID })).toEqual({ ok: false });
  });

  it('parses broadcast_subscribe, whose broadcasts are required', () => {
    expect(frame({ messageType: 'broadcast_subscribe', broadcasts: { a: 'v1' } })).toEqual({
      ok: true,
      frame: { type: 'broadcast_subscribe', broadcasts: { a: 'v1' } },
    });
    expect(frame({ messageType: 'broadcast_subscribe' })).toEqual({ ok: false });
  });

  it('ignores unknown fields', () => {
    expect(frame({ messageType: 'ping', extra: [1, 2] })).toEqual({
      ok: true,
      frame: { type: 'ping' },
    });
  });

  it.each([
    ['an unknown messageType', '{"messageType":"subscribe"}'],
    ['a differently cased messageType', '{"messageType":"Hello"}'],
    ['invalid JSON', '{"messageType":'],
    ['a JSON array', '[]'],
    ['a JSON string', '"hello"'],
    ['JSON null', 'null'],
    ['a JSON number', '42'],
  ])('rejects %s', (_name, text) => {
    expect(parseClientFrame(text)).toEqual({ ok: false });
  });
});

describe('server frames', () => {
  it('writes the hello reply with autoconnect field names and order', () => {
    expect(helloReply(UAID, { a: 'v' })).toBe(
      `{"messageType":"hello","uaid":"${UAID}","status":200,"use_webpush":true,"broadcasts":{"a":"v"}}`,
    );
    expect(JSON.parse(helloReply(UAID, {}))).toEqual({
      messageType: 'hello',
      uaid: UAID,
      status: 200,
      use_webpush: true,
      broadcasts: {},
    });
  });

  it('writes register and unregister replies', () => {
    expect(registerReply(CHID, 200, 'https://p.example/wpush/v1/t')).toBe(
      `{"messageType":"register","channelID":"${CHID}","status":200,"pushEndpoint":"https://p.example/wpush/v1/t"}`,
    );
    expect(unregisterReply(CHID, 200)).toBe(
      `{"messageType":"unregister","channelID":"${CHID}","status":200}`,
    );
  });

  const base = {
    uaid: UAID,
    channelId: CHID,
    messageId: 'AQm-id_1',
    storageKey: `02:0000000000000001:${CHID}`,
    ttlSeconds: 60,
    receivedAtMs: 1,
    urgency: 'normal',
  } as unknown as Notification;

  it('writes a notification without data as channelID and version only', () => {
    expect(notificationFrame(base)).toBe(
      `{"messageType":"notification","channelID":"${CHID}","version":"AQm-id_1"}`,
    );
  });

  it('writes a notification with data and its headers', () => {
    const n = {
      ...base,
      data: 'AAECAw',
      headers: { encoding: 'aesgcm', encryption: 'salt=abc', crypto_key: 'dh=x' },
    } as Notification;
    const text = notificationFrame(n);
    expect(text).toBe(
      `{"messageType":"notification","channelID":"${CHID}","version":"AQm-id_1","data":"AAECAw","headers":{"encoding":"aesgcm","encryption":"salt=abc","crypto_key":"dh=x"}}`,
    );
    expect(JSON.parse(text)).toMatchObject({ data: 'AAECAw', headers: { encoding: 'aesgcm' } });
  });

  it('writes broadcast frames and the ping reply', () => {
    expect(broadcastFrame({ 'remote-settings/x': 'v2' })).toBe(
      '{"messageType":"broadcast","broadcasts":{"remote-settings/x":"v2"}}',
    );
    expect(PING_REPLY).toBe('{}');
  });
});
