/**
 * The broadcast (megaphone) admin API: an operator sets a broadcast's version, every
 * connection node hears of it over the bus, and subscribed user agents get a
 * `broadcast` frame (push-protocol.md §7; spec "Wave 2 additions").
 *
 *   PUT /v1/broadcasts/{id}   body {"version": "…"} → 200 {"broadcasts": {…all}}
 *   GET /v1/broadcasts                               → 200 {"broadcasts": {…all}}
 *
 * Both need `Authorization: Bearer <HERALD_ADMIN_TOKEN>`. The routes exist only when a
 * token is configured (`createEndpointApp` does not mount them otherwise, so they are
 * the ordinary JSON 404). The store is the source of truth: connection nodes also poll
 * it, so a lost `broadcasts-changed` only delays the change by one poll interval.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  StorageUnavailableError,
  type Broadcasts,
  type BroadcastStore,
  type Logger,
  type NodeBus,
} from '@herald/core';
import type { AdminToken } from './admin-token';
import type { EndpointMetrics } from './endpoint-metrics';
import { errorSummary } from './error-summary';
import { sendError } from './http-errors';
import { readBody } from './read-body';

/** Broadcast ids as Remote Settings names them (`remote-settings/monitor_changes`). */
const BROADCAST_ID = /^[A-Za-z0-9/_.:-]{1,128}$/;
const MAX_VERSION_CHARS = 200;
/** `{"version": …}` with a 200-character version fits with room to spare. */
const MAX_BODY_BYTES = 4096;
/** RFC 6750: the scheme and a realm, so a client knows which token it lacks. */
const CHALLENGE = 'Bearer realm="herald-admin"';

export interface BroadcastAdminDeps {
  readonly token: AdminToken;
  readonly broadcastStore: BroadcastStore;
  readonly bus: NodeBus;
  readonly log: Logger;
  readonly metrics: EndpointMetrics;
}

/** The admin routes; mounted by `createEndpointApp` only when an admin token is set. */
export function broadcastAdminRoutes(deps: BroadcastAdminDeps): Router {
  const router = Router();
  const authenticate = requireToken(deps.token);

  router.get('/v1/broadcasts', authenticate, async (_req, res) => {
    const all = await listOrAnswer(deps, res);
    if (all !== undefined) res.status(200).json({ broadcasts: all });
  });

  // A wildcard, not `:id`: broadcast ids contain `/`, sent either literally or as %2F.
  router.put('/v1/broadcasts/*id', authenticate, async (req, res) => {
    const id = broadcastIdOf(req);
    if (id === undefined) {
      badRequest(res, 'Broadcast id must be 1-128 characters of A-Z a-z 0-9 / _ . : -');
      return;
    }
    const version = parseVersion(await readBody(req, MAX_BODY_BYTES));
    if (version === undefined) {
      badRequest(
        res,
        `Body must be a JSON object {"version": string of at most ${MAX_VERSION_CHARS} characters}`,
      );
      return;
    }
    try {
      await deps.broadcastStore.set(id, version);
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error;
      storageUnavailable(deps.log, res, error, 'broadcast save failed');
      return;
    }
    deps.log.info({ broadcastId: id }, 'broadcast version set');
    await publishChange(deps, { [id]: version });
    const all = await listOrAnswer(deps, res);
    if (all !== undefined) res.status(200).json({ broadcasts: all });
  });

  return router;
}

function requireToken(token: AdminToken): RequestHandler {
  return (req, res, next) => {
    if (token.accepts(req.get('authorization'))) {
      next();
      return;
    }
    sendError(res, {
      status: 401,
      errno: null,
      message: 'Missing or wrong admin token',
      challenge: CHALLENGE,
    });
  };
}

function broadcastIdOf(req: Request): string | undefined {
  const segments: unknown = req.params['id'];
  if (!Array.isArray(segments) || !segments.every((s) => typeof s === 'string')) {
    return undefined;
  }
  const id = segments.join('/');
  return BROADCAST_ID.test(id) ? id : undefined;
}

function parseVersion(body: Buffer): string | undefined {
  if (body.length > MAX_BODY_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const version: unknown = (value as Record<string, unknown>)['version'];
  return typeof version === 'string' && version.length <= MAX_VERSION_CHARS ? version : undefined;
}

/**
 * Tells every connection node at once. A failed publish is logged, not returned: the
 * version is stored, and nodes pick it up at their next poll.
 */
async function publishChange(deps: BroadcastAdminDeps, broadcasts: Broadcasts): Promise<void> {
  try {
    await deps.bus.publishToAll({ type: 'broadcasts-changed', broadcasts });
    deps.metrics.busPublish('ok');
  } catch (error) {
    deps.metrics.busPublish('error');
    deps.log.warn({ err: errorSummary(error) }, 'broadcasts-changed publish failed');
  }
}

async function listOrAnswer(
  deps: BroadcastAdminDeps,
  res: Response,
): Promise<Broadcasts | undefined> {
  try {
    return await deps.broadcastStore.list();
  } catch (error) {
    if (!(error instanceof StorageUnavailableError)) throw error;
    storageUnavailable(deps.log, res, error, 'broadcast list failed');
    return undefined;
  }
}

function badRequest(res: Response, message: string): void {
  sendError(res, { status: 400, errno: null, message });
}

function storageUnavailable(log: Logger, res: Response, error: unknown, what: string): void {
  log.warn({ err: errorSummary(error) }, what);
  sendError(res, { status: 503, errno: 201, message: 'Storage is unavailable, retry later' });
}
