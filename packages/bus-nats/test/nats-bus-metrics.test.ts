import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { BusUnavailableError, type NodeBus } from '@herald/core';
import {
  Inbox,
  checkStorage,
  disconnect,
  eventually,
  freshNodeId,
  startNatsServer,
  type NatsServerFixture,
} from '@herald/testkit';
import { connectNatsBus, nodeSubject } from '../src';
import { RecordingLogger } from './recording-logger';

/** Reconnection waits 2 s (plus jitter) between attempts; leave room for two. */
const RECONNECT_WAIT_MS = 8_000;

async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not declared`);
  const { values } = await metric.get();
  const wanted = Object.entries(labels);
  return values
    .filter((value) =>
      wanted.every(([key, label]) => (value.labels as Record<string, unknown>)[key] === label),
    )
    .reduce((sum, value) => sum + value.value, 0);
}

/** The histogram's `_count` sample. */
async function observations(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not declared`);
  const { values } = (await metric.get()) as {
    values: { metricName?: string; value: number }[];
  };
  return values.find((value) => value.metricName === `${name}_count`)?.value ?? 0;
}

interface MeteredBus {
  server: NatsServerFixture;
  registry: Registry;
  bus: NodeBus;
}

/**
 * A nats-server and a bus declaring its metrics on a fresh registry, for the enclosing
 * suite; no periodic samples, so round trips are only those the test causes.
 */
function meteredBusPerSuite(name: string): MeteredBus {
  const suite = {} as MeteredBus;
  beforeAll(async () => {
    suite.server = await startNatsServer();
    suite.registry = new Registry();
    suite.bus = await connectNatsBus({
      servers: [suite.server.url],
      name,
      log: new RecordingLogger(),
      registry: suite.registry,
      rttSampleIntervalMs: 0,
    });
  });
  afterAll(async () => {
    await suite.bus.close();
    await suite.server.stop();
  });
  return suite;
}

describe('NatsBus metrics', () => {
  const suite = meteredBusPerSuite('metrics');

  it('reports the connection as connected', async () => {
    const { registry } = suite;
    expect(await valueOf(registry, 'herald_nats_connection_state', { state: 'connected' })).toBe(1);
    expect(await valueOf(registry, 'herald_nats_connection_state', { state: 'reconnecting' })).toBe(
      0,
    );
  });

  it('counts published and received commands by type', async () => {
    const { registry, bus } = suite;
    const x = freshNodeId('x');
    const inbox = new Inbox();
    await bus.listen(x, inbox.handler);

    await bus.publish(x, checkStorage(1));
    await bus.publish(x, checkStorage(2));
    await bus.publish(x, disconnect(1));
    // next() is the first command, not the next one: wait until all three are in.
    await inbox.take(3);

    const published = (type: string): Promise<number> =>
      valueOf(registry, 'herald_nats_messages_published_total', { type, result: 'ok' });
    expect(await published('check-storage')).toBe(2);
    expect(await published('disconnect')).toBe(1);
    expect(
      await valueOf(registry, 'herald_nats_messages_received_total', { type: 'check-storage' }),
    ).toBe(2);
    expect(
      await valueOf(registry, 'herald_nats_messages_received_total', { type: 'disconnect' }),
    ).toBe(1);
  });

  it('times each ping as a round trip', async () => {
    const { registry, bus } = suite;
    const before = await observations(registry, 'herald_nats_round_trip_seconds');

    await bus.ping();
    await bus.ping();

    expect(await observations(registry, 'herald_nats_round_trip_seconds')).toBe(before + 2);
  });

  it('counts malformed messages and throwing handlers as receive and handler errors', async () => {
    const { server, registry, bus } = suite;
    const x = freshNodeId('x');
    const inbox = new Inbox();
    let calls = 0;
    await bus.listen(x, (command) => {
      calls += 1;
      if (calls === 1) throw new Error('handler failure on purpose');
      inbox.handler(command);
    });
    const raw: NatsConnection = await connect({ servers: server.url });
    try {
      raw.publish(nodeSubject(x), new TextEncoder().encode('not a command'));
      await raw.flush();
    } finally {
      await raw.close();
    }

    await bus.publish(x, checkStorage(1));
    await bus.publish(x, checkStorage(2));
    await inbox.next();

    expect(await valueOf(registry, 'herald_nats_errors_total', { operation: 'receive' })).toBe(1);
    expect(await valueOf(registry, 'herald_nats_errors_total', { operation: 'handler' })).toBe(1);
  });

  it('never labels a series with a node id or subject', async () => {
    const { registry } = suite;
    const text = await registry.metrics();

    expect(text).not.toMatch(/herald\.node\.|x-\d+-\d+-/);
  });
});

describe('NatsBus metrics while the server is down', () => {
  const suite = meteredBusPerSuite('metrics-outage');

  it('counts refused publishes and pings as errors, then the reconnect', async () => {
    const { server, registry, bus } = suite;
    const x = freshNodeId('x');

    await server.stop();
    await eventually(
      () =>
        bus.publish(x, checkStorage(1)).then(
          () => false,
          (error: unknown) => error instanceof BusUnavailableError,
        ),
      { what: 'publish refused during the outage' },
    );
    await expect(bus.ping()).rejects.toBeInstanceOf(BusUnavailableError);

    expect(await valueOf(registry, 'herald_nats_connection_state', { state: 'reconnecting' })).toBe(
      1,
    );
    expect(
      await valueOf(registry, 'herald_nats_messages_published_total', {
        type: 'check-storage',
        result: 'error',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await valueOf(registry, 'herald_nats_errors_total', { operation: 'publish' }),
    ).toBeGreaterThanOrEqual(1);
    expect(await valueOf(registry, 'herald_nats_errors_total', { operation: 'ping' })).toBe(1);

    await server.restart();
    await eventually(() => bus.ping().then(() => true), {
      timeoutMs: RECONNECT_WAIT_MS,
      what: 'bus reconnected',
    });

    expect(await valueOf(registry, 'herald_nats_reconnects_total')).toBe(1);
    expect(await valueOf(registry, 'herald_nats_connection_state', { state: 'connected' })).toBe(1);
  });
});

describe('NatsBus round-trip samples', () => {
  let server: NatsServerFixture;
  let bus: NodeBus | undefined;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await bus?.close();
    await server.stop();
  });

  it('observes a round trip periodically without anyone calling ping', async () => {
    const registry = new Registry();
    bus = await connectNatsBus({
      servers: [server.url],
      name: 'metrics-rtt',
      log: new RecordingLogger(),
      registry,
      rttSampleIntervalMs: 20,
    });

    await eventually(
      async () => (await observations(registry, 'herald_nats_round_trip_seconds')) >= 3,
      { what: 'three round-trip samples' },
    );
  });

  it('refuses a second bus on the same registry before dialling', async () => {
    const registry = new Registry();
    const first = await connectNatsBus({
      servers: [server.url],
      name: 'metrics-first',
      log: new RecordingLogger(),
      registry,
    });
    try {
      await expect(
        connectNatsBus({
          servers: [server.url],
          name: 'metrics-second',
          log: new RecordingLogger(),
          registry,
        }),
      ).rejects.toThrow(/already been registered/);
    } finally {
      await first.close();
    }
  });
});
