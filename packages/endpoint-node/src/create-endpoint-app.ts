/**
 * Builds the endpoint's request listener from its ports, without listening: what
 * `createEndpointNode` serves, and what in-process HTTP tests mount on an ephemeral port.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import {
  VapidVerifier,
  originOf,
  type BroadcastStore,
  type Clock,
  type CryptoKeys,
  type Logger,
  type MessageStore,
  type MonotonicMicros,
  type NodeBus,
  type RouterStore,
} from '@herald/core';
import { processMicros, type AcceptPushDeps } from './accept-push';
import { AdminToken } from './admin-token';
import { broadcastAdminRoutes } from './broadcast-admin';
import { addCorsHeaders, cors } from './cors';
import { createEndpointMetrics } from './endpoint-metrics';
import { plainPushPath, servePush } from './push-request';
import { timeAnswer, timeRequests } from './request-timing';
import { answerFailure, endpointRoutes, errorAnswer, unknownRoute } from './routes';

/** Tunables of the push path. Defaults follow autoendpoint's code (push-protocol.md §9). */
export interface EndpointSettings {
  /** Largest accepted raw body; larger is 413/104. */
  readonly maxBodyBytes: number;
  /** TTLs above this are clamped to it (30 days). */
  readonly maxTtlSeconds: number;
  /** Verified VAPID tokens remembered until their `exp`. */
  readonly vapidCacheSize: number;
}

export const DEFAULT_ENDPOINT_SETTINGS: EndpointSettings = {
  maxBodyBytes: 5630,
  maxTtlSeconds: 2_592_000,
  vapidCacheSize: 10_000,
};

export interface EndpointAppDeps {
  /**
   * The origin application servers use (`HERALD_PUBLIC_URL`). Builds `Location` and is
   * the only accepted VAPID `aud`; any path or trailing slash is dropped.
   */
  readonly publicOrigin: string;
  readonly keys: CryptoKeys;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  readonly bus: NodeBus;
  readonly clock: Clock;
  readonly log: Logger;
  readonly settings?: Partial<EndpointSettings>;
  /** Storage-key clock; defaults to the process-wide one. Tests may inject their own. */
  readonly micros?: MonotonicMicros;
  /**
   * Where the endpoint declares its metrics (docs/http-api.md "Metrics"). Absent: nothing
   * is counted. One registry per app: the names cannot be declared twice on one registry.
   */
  readonly registry?: Registry;
  /**
   * `HERALD_ADMIN_TOKEN`: enables the broadcast admin API (`/v1/broadcasts`), which
   * needs `Authorization: Bearer <adminToken>`. Absent: those routes answer 404.
   * Requires `broadcastStore`.
   */
  readonly adminToken?: string;
  /** Where broadcast versions live; used only by the admin API. */
  readonly broadcastStore?: BroadcastStore;
}

/** Serves one HTTP request; mount it with `http.createServer(app)` or `server.on('request', app)`. */
export type EndpointApp = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The request listener serving the push API: plainly spelled push URLs directly (see
 * push-request.ts), everything else through an express app. Throws if `publicOrigin` is
 * not an http(s) URL, or if `adminToken` is given without a `broadcastStore` (or is empty).
 */
export function createEndpointApp(deps: EndpointAppDeps): EndpointApp {
  const settings: EndpointSettings = { ...DEFAULT_ENDPOINT_SETTINGS, ...deps.settings };
  const publicOrigin = originOf(deps.publicOrigin);
  const vapid = new VapidVerifier({
    audience: publicOrigin,
    clock: deps.clock,
    cacheSize: settings.vapidCacheSize,
  });

  const metrics = createEndpointMetrics(deps.registry);

  const app = express();
  app.disable('x-powered-by');
  // Answers are empty or small JSON errors; hashing them for ETags buys nothing.
  app.disable('etag');

  const accept: AcceptPushDeps = {
    publicOrigin,
    keys: deps.keys,
    vapid,
    routerStore: deps.routerStore,
    messageStore: deps.messageStore,
    bus: deps.bus,
    clock: deps.clock,
    log: deps.log,
    maxBodyBytes: settings.maxBodyBytes,
    maxTtlSeconds: settings.maxTtlSeconds,
    micros: deps.micros ?? processMicros,
    metrics,
  };
  const timed = deps.registry !== undefined;

  if (timed) app.use(timeRequests(metrics));
  app.use(cors);
  app.use(
    endpointRoutes({
      accept,
      cancel: { keys: deps.keys, messageStore: deps.messageStore, log: deps.log },
    }),
  );
  if (deps.adminToken !== undefined) {
    if (deps.broadcastStore === undefined) {
      throw new TypeError('adminToken needs a broadcastStore for the admin API');
    }
    app.use(
      broadcastAdminRoutes({
        token: new AdminToken(deps.adminToken),
        broadcastStore: deps.broadcastStore,
        bus: deps.bus,
        log: deps.log,
        metrics,
      }),
    );
  }
  app.use(unknownRoute);
  app.use(errorAnswer(deps.log));

  return (req, res) => {
    const path = req.method === 'POST' ? plainPushPath(req.url ?? '') : undefined;
    if (path === undefined) {
      void app(req, res);
      return;
    }
    // What the express chain does for a push: time it, serve (with CORS), answer failures.
    if (timed) timeAnswer(metrics, 'push', res);
    servePush(accept, req, res, path).catch((error: unknown) => {
      if (!res.headersSent) addCorsHeaders(res);
      answerFailure(deps.log, error, res, { method: req.method, route: path.route });
    });
  };
}
