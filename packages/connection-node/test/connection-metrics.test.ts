import { MemoryRouterStore, newChannelId, newUaid } from '@herald/core';
import type { ChannelId, MessageId, NodeId, Notification, Uaid } from '@herald/core';
import { UserAgent, eventually } from '@herald/testkit';
import { Registry } from 'prom-client';
import { startMemoryNode } from './support/memory-node';
import type { MemoryNode } from './support/memory-node';

/** The value of one series (a histogram's count); 0 when it has not been created yet. */
async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const series = values.find(
    (v) =>
      [undefined, name, `${name}_count`].includes((v as { metricName?: string }).metricName) &&
      Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value),
  );
  return series?.value ?? 0;
}

function notificationFor(
  uaid: Uaid,
  channelId: ChannelId,
  id: string,
  options: { receivedAtMs?: number; ttlSeconds?: number } = {},
): Notification {
  return {
    uaid,
    channelId,
    messageId: id as MessageId,
    storageKey: `02:${String(Date.now() * 1000).padStart(16, '0')}:${channelId}:${id}`,
    ttlSeconds: options.ttlSeconds ?? 60,
    receivedAtMs: options.receivedAtMs ?? Date.now(),
    urgency: 'normal',
  };
}

describe('connection node metrics', () => {
  let registry: Registry;
  let routerStore: MemoryRouterStore;
  let node: MemoryNode;
  const agents: UserAgent[] = [];

  async function connect(): Promise<UserAgent> {
    const agent = await UserAgent.connect(node.url);
    agents.push(agent);
    return agent;
  }

  beforeEach(async () => {
    registry = new Registry();
    routerStore = new MemoryRouterStore();
    node = await startMemoryNode({ registry, routerStore });
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.terminate()));
    await node.close();
    await node.bus.close();
  });

  it('counts hellos by outcome, registrations and unregistrations', async () => {
    const agent = await connect();
    await agent.hello();
    const { channelId } = await agent.register();
    await agent.unregister(channelId);
    const returning = await connect();
    await returning.hello(agent.uaid);

    const taken = newUaid();
    await routerStore.addChannel(taken, newChannelId(), {
      nodeId: 'node-future' as NodeId,
      connectedAtMs: Date.now() + 600_000,
    });
    const refused = await connect();
    refused.sendRaw(JSON.stringify({ messageType: 'hello', uaid: taken }));
    await refused.closed;

    expect(await metricValue(registry, 'herald_hellos_total', { outcome: 'new' })).toBe(1);
    expect(await metricValue(registry, 'herald_hellos_total', { outcome: 'returning' })).toBe(1);
    expect(await metricValue(registry, 'herald_hellos_total', { outcome: 'rejected' })).toBe(1);
    expect(await metricValue(registry, 'herald_registers_total')).toBe(1);
    expect(await metricValue(registry, 'herald_unregisters_total')).toBe(1);
  });

  it('counts live and stored deliveries, acks by code, ack latency, drained rows and expired messages', async () => {
    const agent = await connect();
    await agent.hello();
    const { channelId } = await agent.register();
    const uaid = agent.uaid as Uaid;
    const live = notificationFor(uaid, channelId as ChannelId, 'live-1');
    await node.messageStore.save(live);
    await node.bus.publish('node-memory' as NodeId, {
      type: 'deliver',
      notification: live,
      hops: 0,
    });
    agent.ack(await agent.nextNotification(), 100);
    await eventually(
      async () => (await metricValue(registry, 'herald_stored_drained_total')) === 1,
    );

    const expired = notificationFor(uaid, channelId as ChannelId, 'expired-1', {
      receivedAtMs: Date.now() - 120_000,
    });
    await node.bus.publish('node-memory' as NodeId, {
      type: 'deliver',
      notification: expired,
      hops: 0,
    });
    await eventually(
      async () => (await metricValue(registry, 'herald_messages_expired_total')) === 1,
    );

    await agent.close();
    await node.messageStore.save(notificationFor(uaid, channelId as ChannelId, 'stored-1'));
    const again = await connect();
    await again.hello(uaid);
    again.ack(await again.nextNotification(), 102);
    await eventually(
      async () => (await metricValue(registry, 'herald_stored_drained_total')) === 2,
    );

    expect(await metricValue(registry, 'herald_deliveries_total', { source: 'live' })).toBe(1);
    expect(await metricValue(registry, 'herald_deliveries_total', { source: 'stored' })).toBe(1);
    expect(await metricValue(registry, 'herald_acks_total', { code: '100' })).toBe(1);
    expect(await metricValue(registry, 'herald_acks_total', { code: '102' })).toBe(1);
    expect(await metricValue(registry, 'herald_ack_latency_seconds')).toBe(2);
    expect(
      await metricValue(registry, 'herald_bus_commands_received_total', { type: 'deliver' }),
    ).toBe(2);
  });

  it('reports open sockets at scrape time and never labels a series with a uaid', async () => {
    const first = await connect();
    await first.hello();
    await connect();
    await eventually(async () => (await metricValue(registry, 'herald_connections_open')) === 2);
    const text = await registry.metrics();
    expect(text).not.toMatch(/[0-9a-f]{32}/);
    expect(text).toContain('herald_connection_cap_rejections_total 0');
    expect(text).toContain('herald_backpressure_drops_total 0');
  });
});
