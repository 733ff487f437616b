import { connect, type NatsConnection } from '@nats-io/transport-node';
import { BusUnavailableError, type NodeBus } from '@herald/core';
import {
  Inbox,
  checkStorage,
  eventually,
  freshNodeId,
  startNatsServer,
  type NatsServerFixture,
} from '@herald/testkit';
import { connectNatsBus, nodeSubject } from '../src';
import { RecordingLogger } from './recording-logger';

/** Reconnection waits 2 s (plus jitter) between attempts; leave room for two. */
const RECONNECT_WAIT_MS = 8_000;

describe('NatsBus through a server restart', () => {
  let server: NatsServerFixture;
  let listenerLog: RecordingLogger;
  let listener: NodeBus;
  let publisher: NodeBus;

  beforeAll(async () => {
    server = await startNatsServer();
    listenerLog = new RecordingLogger();
    listener = await connectNatsBus({ servers: [server.url], name: 'listener', log: listenerLog });
    publisher = await connectNatsBus({
      servers: [server.url],
      name: 'publisher',
      log: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await listener.close();
    await publisher.close();
    await server.stop();
  });

  it('delivers a command published after the restart to a listener subscribed before it', async () => {
    const x = freshNodeId('x');
    const inbox = new Inbox();
    const subscription = await listener.listen(x, inbox.handler);
    let reconnects = 0;
    listener.onReconnect(() => {
      reconnects += 1;
    });
    listener.onReconnect(() => {
      throw new Error('reconnect listener failure on purpose');
    });

    await server.restart();
    // ping resolves only once the bus is connected again, and its round trip means the
    // server has processed the SUB the client re-sent on reconnecting.
    await eventually(() => listener.ping().then(() => true), {
      timeoutMs: RECONNECT_WAIT_MS,
      what: 'listener reconnected',
    });
    await eventually(() => publisher.ping().then(() => true), {
      timeoutMs: RECONNECT_WAIT_MS,
      what: 'publisher reconnected',
    });
    await publisher.publish(x, checkStorage(1));

    expect(await inbox.next()).toEqual(checkStorage(1));
    expect(reconnects).toBe(1);
    expect(listenerLog.withMessage('bus reconnect listener threw')).toHaveLength(1);
    await subscription.close();
  });

  it('logs the disconnect as a warning and the reconnect as info', () => {
    expect(listenerLog.withMessage('nats disconnected; reconnecting')[0]?.level).toBe('warn');
    expect(listenerLog.withMessage('nats reconnected')[0]?.level).toBe('info');
  });
});

describe('NatsBus while the server is down', () => {
  let server: NatsServerFixture;
  let bus: NodeBus;

  beforeAll(async () => {
    server = await startNatsServer();
    bus = await connectNatsBus({
      servers: [server.url],
      name: 'outage',
      log: new RecordingLogger(),
    });
  });

  afterAll(async () => {
    await bus.close();
    await server.stop();
  });

  it('refuses publish and ping with BusUnavailableError, then works again once the server is back', async () => {
    const x = freshNodeId('x');
    const inbox = new Inbox();
    await bus.listen(x, inbox.handler);

    await server.stop();
    await eventually(
      () =>
        bus.publish(x, checkStorage(1)).then(
          () => false,
          (error: unknown) => error instanceof BusUnavailableError,
        ),
      {
        what: 'publish refused during the outage',
      },
    );
    await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);

    await server.restart();
    await eventually(() => bus.ping().then(() => true), {
      timeoutMs: RECONNECT_WAIT_MS,
      what: 'bus reconnected',
    });
    await bus.publish(x, checkStorage(2));

    expect(await inbox.next()).toEqual(checkStorage(2));
    expect(inbox.received).toEqual([checkStorage(2)]);
  });

  it('closes promptly while the server is down', async () => {
    const other = await connectNatsBus({
      servers: [server.url],
      name: 'closing',
      log: new RecordingLogger(),
    });
    await server.stop();
    await eventually(
      () =>
        other.ping().then(
          () => false,
          () => true,
        ),
      { what: 'bus noticed the outage' },
    );
    const startedAtMs = Date.now();

    await other.close();

    expect(Date.now() - startedAtMs).toBeLessThan(1_000);
    await server.restart();
  });
});

describe('NatsBus receiving something that is not a command', () => {
  let server: NatsServerFixture;
  let log: RecordingLogger;
  let bus: NodeBus;
  let raw: NatsConnection;

  beforeAll(async () => {
    server = await startNatsServer();
    log = new RecordingLogger();
    bus = await connectNatsBus({ servers: [server.url], name: 'receiver', log });
    raw = await connect({ servers: server.url });
  });

  afterAll(async () => {
    await raw.close();
    await bus.close();
    await server.stop();
  });

  it('drops it, logs a warning without the payload, and keeps delivering', async () => {
    const x = freshNodeId('x');
    const inbox = new Inbox();
    await bus.listen(x, inbox.handler);

    raw.publish(nodeSubject(x), new TextEncoder().encode('not json, secret-payload'));
    raw.publish(nodeSubject(x), new TextEncoder().encode('{"type":"deliver","secret":"payload"}'));
    raw.publish(nodeSubject(x), new Uint8Array([0xff, 0xfe, 0x00]));
    await raw.flush();
    await bus.publish(x, checkStorage(1));

    expect(await inbox.next()).toEqual(checkStorage(1));
    expect(inbox.received).toEqual([checkStorage(1)]);
    const warnings = log.withMessage('dropped a malformed bus command');
    expect(warnings).toHaveLength(3);
    expect(warnings.every((entry) => entry.level === 'warn')).toBe(true);
    expect(JSON.stringify(warnings)).not.toMatch(/secret|payload|not json/);
  });

  it('logs a handler that throws as an error and stays subscribed', async () => {
    const x = freshNodeId('x');
    const inbox = new Inbox();
    let calls = 0;
    await bus.listen(x, (command) => {
      calls += 1;
      if (calls === 1) throw new Error('handler failure on purpose');
      inbox.handler(command);
    });

    await bus.publish(x, checkStorage(1));
    await bus.publish(x, checkStorage(2));

    expect(await inbox.next()).toEqual(checkStorage(2));
    expect(log.withMessage('bus command handler threw')[0]?.fields).toMatchObject({
      commandType: 'check-storage',
    });
  });
});
