/**
 * The endpoint's HTTP surface (push-protocol.md §3.1, contract.md "Wire protocols"):
 * parse each request into a use-case input, run the use case, write its outcome.
 * No rule about pushes lives here; those are in `accept-push.ts` and `cancel-message.ts`.
 */
import {
  Router,
  type ErrorRequestHandler,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import type { Logger } from '@herald/core';
import { acceptPush, type AcceptPushDeps } from './accept-push';
import { cancelMessage, type CancelMessageDeps } from './cancel-message';
import { errorSummary } from './error-summary';
import { readBody } from './read-body';
import { sendError, sendRejection } from './http-errors';

export interface EndpointRoutesDeps {
  readonly accept: AcceptPushDeps;
  readonly cancel: CancelMessageDeps;
}

/** The routes of one endpoint app; mounted at the root by `createEndpointApp`. */
export function endpointRoutes(deps: EndpointRoutesDeps): Router {
  const router = Router();

  // `/wpush/{token}` is the pre-v2 URL form and means v1; any version other than v1/v2
  // reaches the use case and is refused there as an invalid URL (404/102).
  router.post('/wpush/:apiVersion/:token', (req, res) =>
    push(deps.accept, req, res, param(req, 'apiVersion'), param(req, 'token')),
  );
  router.post('/wpush/:token', (req, res) =>
    push(deps.accept, req, res, 'v1', param(req, 'token')),
  );

  router.delete('/m/:messageId', async (req, res) => {
    const outcome = await cancelMessage(deps.cancel, param(req, 'messageId'));
    switch (outcome.kind) {
      case 'cancelled':
        res.status(204).end();
        return;
      case 'rejected':
        sendRejection(res, outcome.rejection);
        return;
    }
  });

  // Load-balancer liveness: answers while the process serves HTTP, checks nothing else.
  router.get('/__lbheartbeat__', (_req, res) => {
    res.status(200).end();
  });

  return router;
}

async function push(
  deps: AcceptPushDeps,
  req: Request,
  res: Response,
  apiVersion: string,
  token: string,
): Promise<void> {
  const body = await readBody(req, deps.maxBodyBytes);
  const outcome = await acceptPush(deps, {
    apiVersion,
    token,
    authorization: req.get('authorization'),
    cryptoKey: req.get('crypto-key'),
    ttl: req.get('ttl'),
    topic: req.get('topic'),
    urgency: req.get('urgency'),
    contentEncoding: req.get('content-encoding'),
    encryption: req.get('encryption'),
    body,
  });
  switch (outcome.kind) {
    case 'accepted':
      res
        .status(201)
        .set({ Location: outcome.location, TTL: String(outcome.ttlSeconds) })
        .end();
      return;
    case 'rejected':
      sendRejection(res, outcome.rejection);
      return;
  }
}

function param(req: Request, name: string): string {
  const value: unknown = req.params[name];
  return typeof value === 'string' ? value : '';
}

/** Every path no route claims: a JSON 404 like every other error. */
export const unknownRoute: RequestHandler = (_req, res) => {
  sendError(res, { status: 404, errno: null, message: 'Not found' });
};

/**
 * The last handler: whatever a route threw becomes a JSON answer and never reaches the
 * client as a stack trace or takes the process down. Client errors raised by express
 * itself (an undecodable path) keep their 4xx status; everything else is a logged 500.
 */
export function errorAnswer(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const status = clientErrorStatus(error);
    if (status !== undefined) {
      sendError(res, { status, errno: null, message: 'Bad request' });
      return;
    }
    log.error(
      { err: errorSummary(error), method: req.method, route: routeOf(req) },
      'request failed',
    );
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendError(res, { status: 500, errno: 999, message: 'An unexpected server error occurred' });
  };
}

function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/** The matched route pattern, never the URL: the URL holds the endpoint token. */
function routeOf(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route) return String(route.path);
  return 'unmatched';
}
