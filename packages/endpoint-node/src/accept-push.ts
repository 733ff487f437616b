/**
 * The push use case: one application-server request in, an outcome out. No HTTP types
 * here; `routes.ts` parses the request into {@link AcceptPushInput} and writes the
 * outcome back.
 *
 * The order of checks decides which error a sender sees when several things are wrong,
 * and follows autoendpoint's (push-protocol.md §3.2): token, VAPID, v2 key binding,
 * router record, body size, headers. The message is durable before `accepted` is
 * returned (contract.md "Delivery guarantee"); the `deliver` publish after that is an
 * optimisation whose failure the stored row covers.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  MonotonicMicros,
  PUSH_ERRORS,
  StorageUnavailableError,
  openEndpointToken,
  parsePushHeaders,
  sealMessageId,
  storageKeyFor,
  type Clock,
  type CryptoKeys,
  type Logger,
  type MessageId,
  type MessageStore,
  type NodeBus,
  type Notification,
  type PushRejection,
  type RouterRecord,
  type RouterStore,
  type Uaid,
  type VapidOutcome,
  type VapidVerifier,
} from '@herald/core';
import type { EndpointMetrics } from './endpoint-metrics';
import { errorSummary } from './error-summary';

/** A push request, already lifted out of HTTP. Header values are raw strings. */
export interface AcceptPushInput {
  /** The `{api_version}` path segment: `v1` or `v2`; anything else is an invalid URL. */
  readonly apiVersion: string;
  readonly token: string;
  readonly authorization?: string;
  readonly cryptoKey?: string;
  readonly ttl?: string;
  readonly topic?: string;
  readonly urgency?: string;
  readonly contentEncoding?: string;
  readonly encryption?: string;
  /**
   * The request body. The reader may stop buffering one byte past `maxBodyBytes`, so a
   * body longer than the limit is all this use case needs to see to refuse it.
   */
  readonly body: Buffer;
}

export type AcceptPushOutcome =
  | {
      readonly kind: 'accepted';
      readonly messageId: MessageId;
      /** The effective TTL after clamping, echoed in the `TTL` response header. */
      readonly ttlSeconds: number;
      /** `{publicOrigin}/m/{messageId}`: where the sender can DELETE the message. */
      readonly location: string;
    }
  | { readonly kind: 'rejected'; readonly rejection: PushRejection };

export interface AcceptPushDeps {
  readonly publicOrigin: string;
  readonly keys: CryptoKeys;
  readonly vapid: VapidVerifier;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  readonly bus: NodeBus;
  readonly clock: Clock;
  readonly log: Logger;
  /** Raw body limit; autoendpoint's default is 5630 (push-protocol.md §3.4). */
  readonly maxBodyBytes: number;
  /** TTLs above this are clamped, not refused. */
  readonly maxTtlSeconds: number;
  /** The storage-key clock; one per process so keys sort in acceptance order. */
  readonly micros: MonotonicMicros;
  readonly metrics: EndpointMetrics;
}

/** One clock for the whole process: two apps in one process still store in order. */
export const processMicros = new MonotonicMicros();

function reject(code: PushRejection['code'], message: string): AcceptPushOutcome {
  return { kind: 'rejected', rejection: { code, message } };
}

function parseApiVersion(segment: string): 1 | 2 | undefined {
  if (segment === 'v1') return 1;
  if (segment === 'v2') return 2;
  return undefined;
}

/**
 * Runs the push path for one request and counts its outcome. Rejects only on a
 * programming error (counted as `failed`).
 */
export async function acceptPush(
  deps: AcceptPushDeps,
  input: AcceptPushInput,
): Promise<AcceptPushOutcome> {
  let outcome: AcceptPushOutcome;
  try {
    outcome = await decidePush(deps, input);
  } catch (error) {
    deps.metrics.push('failed', 999);
    throw error;
  }
  if (outcome.kind === 'rejected') {
    deps.metrics.push('rejected', PUSH_ERRORS[outcome.rejection.code].errno);
  }
  return outcome;
}

async function decidePush(
  deps: AcceptPushDeps,
  input: AcceptPushInput,
): Promise<AcceptPushOutcome> {
  const apiVersion = parseApiVersion(input.apiVersion);
  if (apiVersion === undefined) return reject('invalid-token', 'Invalid API version');

  // Opening also checks the plaintext length for the version, so autoendpoint's later
  // "token length" step (§3.2 step 3) is folded into this one: a wrong length is a 404.
  const subscription = openEndpointToken(deps.keys, apiVersion, input.token);
  if (subscription === undefined) return reject('invalid-token', 'Invalid endpoint token');

  const vapid = deps.vapid.verify({
    authorization: input.authorization,
    cryptoKey: input.cryptoKey,
  });
  countVapid(deps.metrics, vapid);
  if (vapid.kind === 'invalid') return { kind: 'rejected', rejection: vapid.rejection };

  if (apiVersion === 2) {
    // A v2 endpoint is bound to the application server key it was created with (§4.4).
    if (vapid.kind !== 'valid') return reject('vapid-invalid', 'Missing VAPID public key');
    const expected = subscription.appServerKeyHash;
    if (expected === undefined || !sameBytes(expected, vapid.publicKeyHash)) {
      return reject('vapid-invalid', 'VAPID public key mismatch');
    }
  }

  let record: RouterRecord | undefined;
  try {
    record = await deps.routerStore.get(subscription.uaid);
  } catch (error) {
    return storageFailure(deps.log, error, 'router lookup failed');
  }
  if (record === undefined || !record.channelIds.has(subscription.channelId)) {
    return reject('subscription-gone', 'No such subscription');
  }

  if (input.body.length > deps.maxBodyBytes) {
    return reject(
      'payload-too-large',
      `Data payload must be smaller than ${deps.maxBodyBytes + 1} bytes`,
    );
  }

  const headers = parsePushHeadersFor(input, deps.maxTtlSeconds);
  if (!headers.ok) return { kind: 'rejected', rejection: headers.rejection };

  const notification = buildNotification(deps, {
    uaid: subscription.uaid,
    channelId: subscription.channelId,
    body: input.body,
    ttlSeconds: headers.ttlSeconds,
    topic: headers.topic,
    urgency: headers.urgency,
    headers: headers.headers,
  });

  if (notification.ttlSeconds > 0) {
    try {
      await deps.messageStore.save(notification);
    } catch (error) {
      return storageFailure(deps.log, error, 'message save failed');
    }
  }

  const routed = await publishDeliver(deps, record, notification);
  const stored = notification.ttlSeconds > 0;
  deps.metrics.push(
    stored ? (routed ? 'routed' : 'stored_only') : routed ? 'ttl0_routed' : 'ttl0_dropped',
  );

  return {
    kind: 'accepted',
    messageId: notification.messageId,
    ttlSeconds: notification.ttlSeconds,
    location: `${deps.publicOrigin}/m/${notification.messageId}`,
  };
}

function parsePushHeadersFor(
  input: AcceptPushInput,
  maxTtlSeconds: number,
): ReturnType<typeof parsePushHeaders> {
  return parsePushHeaders(
    {
      ttl: input.ttl,
      topic: input.topic,
      urgency: input.urgency,
      contentEncoding: input.contentEncoding,
      encryption: input.encryption,
      cryptoKey: input.cryptoKey,
    },
    { bodyBytes: input.body.length, maxTtlSeconds },
  );
}

type ParsedHeaders = Extract<ReturnType<typeof parsePushHeaders>, { ok: true }>;

function buildNotification(
  deps: Pick<AcceptPushDeps, 'keys' | 'clock' | 'micros'>,
  m: {
    uaid: Uaid;
    channelId: Notification['channelId'];
    body: Buffer;
    ttlSeconds: number;
    topic: string | undefined;
    urgency: ParsedHeaders['urgency'];
    headers: ParsedHeaders['headers'];
  },
): Notification {
  const receivedAtMs = deps.clock.nowMs();
  const receivedAtUs = deps.micros.next(receivedAtMs);
  const storageKey = storageKeyFor({
    channelId: m.channelId,
    topic: m.topic,
    receivedAtUs,
    writerId: deps.micros.writerId,
  });
  const messageId = sealMessageId(deps.keys, { uaid: m.uaid, channelId: m.channelId, storageKey });
  const notification: Mutable<Notification> = {
    uaid: m.uaid,
    channelId: m.channelId,
    messageId,
    storageKey,
    ttlSeconds: m.ttlSeconds,
    receivedAtMs,
    urgency: m.urgency,
  };
  // Assigned rather than spread: conditional spreads cost an object each, on every push.
  if (m.topic !== undefined) notification.topic = m.topic;
  // An empty body carries neither data nor headers (push-protocol.md §3.3).
  if (m.body.length > 0) {
    notification.data = m.body.toString('base64url');
    if (m.headers !== undefined) notification.headers = m.headers;
  }
  return notification;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Publishes `deliver` to the owning node; false when the bus refused it. */
async function publishDeliver(
  deps: Pick<AcceptPushDeps, 'bus' | 'log' | 'metrics'>,
  record: RouterRecord,
  notification: Notification,
): Promise<boolean> {
  try {
    await deps.bus.publish(record.nodeId, { type: 'deliver', notification, hops: 0 });
    deps.metrics.busPublish('ok');
    return true;
  } catch (error) {
    deps.metrics.busPublish('error');
    // The row is durable (or the message was TTL 0, which promises nothing): the user
    // agent gets it at its next hello, so the sender still hears 201.
    deps.log.warn(
      { nodeId: record.nodeId, ttlSeconds: notification.ttlSeconds, err: errorSummary(error) },
      'deliver publish failed',
    );
    return false;
  }
}

function countVapid(metrics: EndpointMetrics, vapid: VapidOutcome): void {
  switch (vapid.kind) {
    case 'absent':
      return;
    case 'valid':
      metrics.vapid(vapid.cacheHit ? 'cache_hit' : 'verified');
      return;
    case 'invalid':
      metrics.vapid('rejected');
      return;
  }
}

function storageFailure(log: Logger, error: unknown, what: string): AcceptPushOutcome {
  if (!(error instanceof StorageUnavailableError)) throw error;
  log.warn({ err: errorSummary(error) }, what);
  return reject('storage-unavailable', 'Storage is unavailable, retry later');
}

/** Constant-time comparison of two hashes; different lengths never match. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
