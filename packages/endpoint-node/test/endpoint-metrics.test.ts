import { BusUnavailableError, type NodeBus, type RouterStore } from '@herald/core';
import { Registry } from 'prom-client';
import {
  generateVapidKeys,
  httpRequest,
  postRaw,
  sendPush,
  vapidHeaders,
  type VapidDetails,
} from '@herald/testkit';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';

const vapid: VapidDetails = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };

/** The current value of one series, 0 when it was never touched. */
async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const matches = values.filter((v) =>
    Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want),
  );
  return matches.reduce((sum, v) => sum + v.value, 0);
}

/** How many requests the duration histogram observed for a route and status class. */
async function requestCount(registry: Registry, route: string, statusClass: string) {
  const histogram = registry.getSingleMetric('herald_endpoint_request_duration_seconds');
  if (histogram === undefined) throw new Error('no request histogram');
  const { values } = (await histogram.get()) as {
    values: { metricName?: string; labels: Record<string, unknown>; value: number }[];
  };
  return values
    .filter((v) => v.metricName?.endsWith('_count') === true)
    .filter((v) => v.labels.route === route && v.labels.status_class === statusClass)
    .reduce((sum, v) => sum + v.value, 0);
}

describe('endpoint metrics', () => {
  const registry = new Registry();
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture({ app: { registry } });
  });
  afterAll(async () => {
    await f.close();
  });

  const pushes = (outcome: string, errno: string) =>
    valueOf(registry, 'herald_pushes_total', { outcome, errno });

  it('counts a stored push whose deliver was published as routed', async () => {
    const sub = await f.subscribe();
    expect((await sendPush(sub, 'hi', { ttl: 60 })).status).toBe(201);
    expect(await pushes('routed', 'none')).toBe(1);
    expect(await valueOf(registry, 'herald_bus_publish_total', { result: 'ok' })).toBe(1);
  });

  it('counts a TTL 0 push as ttl0_routed', async () => {
    const sub = await f.subscribe();
    expect((await sendPush(sub, 'now or never', { ttl: 0 })).status).toBe(201);
    expect(await pushes('ttl0_routed', 'none')).toBe(1);
  });

  it('counts refusals by errno', async () => {
    const sub = await f.subscribe();
    await postRaw(sub.endpoint, { headers: {} });
    await postRaw(sub.endpoint, { headers: { TTL: '-5' } });
    await postRaw(sub.endpoint.replace('/wpush/v1/', '/wpush/v7/'), { headers: { TTL: '1' } });
    expect(await pushes('rejected', '111')).toBe(1);
    expect(await pushes('rejected', '114')).toBe(1);
    expect(await pushes('rejected', '102')).toBe(1);
  });

  it('counts VAPID checks: verified, then a cache hit for the same header, rejected when bad', async () => {
    const sub = await f.subscribe();
    const vapidChecks = (result: string) =>
      valueOf(registry, 'herald_vapid_verifications_total', { result });
    const signed = vapidHeaders({ audience: f.origin, vapid });
    expect((await sendPush(sub, 'first', { ttl: 60, headers: signed })).status).toBe(201);
    expect((await sendPush(sub, 'again', { ttl: 60, headers: signed })).status).toBe(201);
    const bad = { Authorization: 'vapid t=not.a.jwt,k=BAAA' };
    expect((await sendPush(sub, 'bad', { ttl: 60, headers: bad })).status).toBe(401);
    expect(await vapidChecks('verified')).toBe(1);
    expect(await vapidChecks('cache_hit')).toBe(1);
    expect(await vapidChecks('rejected')).toBe(1);
  });

  it('times requests by route name and status class, never by path', async () => {
    const sub = await f.subscribe();
    const accepted = await sendPush(sub, 'timed', { ttl: 60 });
    await httpRequest(accepted.headers.location!, { method: 'DELETE' });
    await httpRequest(`${f.origin}/wpush/v1/x`, { method: 'OPTIONS' });
    await httpRequest(`${f.origin}/nowhere`, { method: 'GET' });
    expect(await requestCount(registry, 'push', '2xx')).toBeGreaterThanOrEqual(1);
    expect(await requestCount(registry, 'delete', '2xx')).toBe(1);
    expect(await requestCount(registry, 'cors', '2xx')).toBe(1);
    expect(await requestCount(registry, 'other', '4xx')).toBe(1);

    const text = await registry.metrics();
    const token = sub.endpoint.slice(sub.endpoint.lastIndexOf('/') + 1);
    expect(text).not.toContain(token);
    expect(text).not.toContain(sub.uaid);
  });
});

describe('endpoint metrics when the bus or a store fails', () => {
  const registry = new Registry();
  let f: EndpointFixture;
  let breakRouter = false;
  beforeAll(async () => {
    const failingBus = (bus: NodeBus): NodeBus => ({
      listen: (nodeId, handler) => bus.listen(nodeId, handler),
      listenToAll: (handler) => bus.listenToAll(handler),
      publish: () => Promise.reject(new BusUnavailableError('bus down')),
      publishToAll: () => Promise.reject(new BusUnavailableError('bus down')),
      ping: () => bus.ping(),
      onReconnect: (listener) => bus.onReconnect(listener),
      close: () => bus.close(),
    });
    const flakyRouter = (routerStore: RouterStore): RouterStore =>
      Object.assign(Object.create(routerStore) as RouterStore, {
        get: (uaid: Parameters<RouterStore['get']>[0]) =>
          breakRouter ? Promise.reject(new TypeError('a bug')) : routerStore.get(uaid),
      });
    f = await startEndpointFixture({
      wrapBus: failingBus,
      wrapStores: ({ routerStore, messageStore }) => ({
        routerStore: flakyRouter(routerStore),
        messageStore,
      }),
      app: { registry },
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('counts stored_only and ttl0_dropped when deliver cannot be published', async () => {
    const sub = await f.subscribe();
    expect((await sendPush(sub, 'kept', { ttl: 60 })).status).toBe(201);
    expect((await sendPush(sub, 'lost', { ttl: 0 })).status).toBe(201);
    const pushes = (outcome: string) =>
      valueOf(registry, 'herald_pushes_total', { outcome, errno: 'none' });
    expect(await pushes('stored_only')).toBe(1);
    expect(await pushes('ttl0_dropped')).toBe(1);
    expect(await valueOf(registry, 'herald_bus_publish_total', { result: 'error' })).toBe(2);
  });

  it('counts an unexpected error as failed with errno 999 and a 5xx request', async () => {
    const sub = await f.subscribe();
    breakRouter = true;
    try {
      expect((await sendPush(sub, 'boom', { ttl: 60 })).status).toBe(500);
    } finally {
      breakRouter = false;
    }
    expect(
      await valueOf(registry, 'herald_pushes_total', { outcome: 'failed', errno: '999' }),
    ).toBe(1);
    expect(await requestCount(registry, 'push', '5xx')).toBe(1);
  });
});
