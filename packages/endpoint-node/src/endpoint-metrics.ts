/**
 * What an endpoint node counts, declared once on an injected prom-client registry.
 * Labels are small fixed sets (an outcome, an errno, a route name, a status class):
 * never a uaid, token, URL or message id. docs/http-api.md "Metrics" lists them.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * How a push ended, as far as the endpoint can know. The endpoint never sees the user
 * agent, so "routed" means the `deliver` command was handed to the bus for the node that
 * owns the uaid, not that the user agent received it.
 *
 * - `routed`: stored, and `deliver` published to the owning node.
 * - `stored_only`: stored, but the publish failed; the user agent gets it at its next hello.
 * - `ttl0_routed`: TTL 0 (never stored), `deliver` published; the node drops it if the
 *   user agent is not connected there.
 * - `ttl0_dropped`: TTL 0 and the publish failed: nobody will ever see it.
 * - `rejected`: refused with a 4xx/503 (the `errno` label says why).
 * - `failed`: an unexpected error, answered 500/999.
 */
export type PushMetricOutcome =
  'routed' | 'stored_only' | 'ttl0_routed' | 'ttl0_dropped' | 'rejected' | 'failed';

/** The `route` label of the request-duration histogram. */
export type RouteLabel = 'push' | 'delete' | 'cors' | 'admin' | 'other';

/** How the sender's VAPID header fared; requests without one are not counted. */
export type VapidMetricResult = 'cache_hit' | 'verified' | 'rejected';

export interface EndpointMetrics {
  /** One per push request; `errno` only for `rejected` and `failed`. */
  push(outcome: PushMetricOutcome, errno?: number | null): void;
  vapid(result: VapidMetricResult): void;
  busPublish(result: 'ok' | 'error'): void;
  /** One answered request: `seconds` from its arrival until its answer was written. */
  requestAnswered(route: RouteLabel, status: number, seconds: number): void;
}

/** For apps created without a registry: counts nothing, costs nothing. */
export const NO_METRICS: EndpointMetrics = {
  push: () => undefined,
  vapid: () => undefined,
  busPublish: () => undefined,
  requestAnswered: () => undefined,
};

/**
 * A push is a router GetItem plus a PutItem: a few milliseconds on a healthy table,
 * seconds only when DynamoDB throttles or the request times out.
 */
const REQUEST_BUCKETS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** The `errno` label: the number, `null` for errors without one, `none` for accepted pushes. */
function errnoLabel(errno: number | null | undefined): string {
  if (errno === undefined) return 'none';
  return errno === null ? 'null' : String(errno);
}

/** `2xx`, `4xx`, `5xx` (and `1xx`/`3xx`, which the endpoint never sends). */
function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

/**
 * `make(key)` once per key, then the same value: labelled children bound once, because
 * resolving a label set on every observation hashes it each time, on every push.
 */
function memoised<T>(make: (key: string) => T): (key: string) => T {
  const made = new Map<string, T>();
  return (key) => {
    let value = made.get(key);
    if (value === undefined) {
      value = make(key);
      made.set(key, value);
    }
    return value;
  };
}

/**
 * Declares the endpoint's metrics on `registry`. Call once per registry: prom-client
 * refuses a name registered twice, so two endpoint apps in one process need two
 * registries.
 */
export function createEndpointMetrics(registry: Registry | undefined): EndpointMetrics {
  if (registry === undefined) return NO_METRICS;
  const registers = [registry];

  const pushes = new Counter({
    name: 'herald_pushes_total',
    help: 'Push requests by outcome (routed, stored_only, ttl0_routed, ttl0_dropped, rejected, failed) and errno (none when accepted).',
    labelNames: ['outcome', 'errno'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'herald_endpoint_request_duration_seconds',
    help: 'Time from receiving an endpoint HTTP request to finishing its answer, by route and status class.',
    labelNames: ['route', 'status_class'] as const,
    buckets: REQUEST_BUCKETS_SECONDS,
    registers,
  });
  const vapid = new Counter({
    name: 'herald_vapid_verifications_total',
    help: 'VAPID headers checked, by result: cache_hit (a token verified before), verified (signature checked now), rejected.',
    labelNames: ['result'] as const,
    registers,
  });
  const busPublishes = new Counter({
    name: 'herald_bus_publish_total',
    help: 'Commands the endpoint published on the bus (deliver, broadcasts-changed), by result.',
    labelNames: ['result'] as const,
    registers,
  });

  // Keys are `label|label`; every part comes from a small fixed set.
  const pushChild = memoised((key) => {
    const [outcome = '', errno = ''] = key.split('|');
    return pushes.labels({ outcome, errno });
  });
  const vapidChild = memoised((result) => vapid.labels({ result }));
  const busChild = memoised((result) => busPublishes.labels({ result }));
  const durationChild = memoised((key) => {
    const [route = '', status = ''] = key.split('|');
    return requestDuration.labels({ route, status_class: statusClass(Number(status)) });
  });

  return {
    push: (outcome, errno) => pushChild(`${outcome}|${errnoLabel(errno)}`).inc(),
    vapid: (result) => vapidChild(result).inc(),
    busPublish: (result) => busChild(result).inc(),
    requestAnswered: (route, status, seconds) =>
      durationChild(`${route}|${status}`).observe(seconds),
  };
}
