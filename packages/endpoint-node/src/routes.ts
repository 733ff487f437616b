/**
 * The endpoint's HTTP surface (push-protocol.md §3.1, contract.md "Wire protocols"):
 * parse each request into a use-case input, run the use case, write its outcome.
 * No rule about pushes lives here; those are in `accept-push.ts` and `cancel-message.ts`.
 */
import type { ServerResponse } from 'node:http';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { Logger } from '@herald/core';
import type { AcceptPushDeps } from './accept-push';
import { cancelMessage, type CancelMessageDeps } from './cancel-message';
import { errorSummary } from './error-summary';
import { sendError, sendRejection } from './http-errors';
import { servePush } from './push-request';

export interface EndpointRoutesDeps {
  readonly accept: AcceptPushDeps;
  readonly cancel: CancelMessageDeps;
}

/** The routes of one endpoint app; mounted at the root by `createEndpointApp`. */
export function endpointRoutes(deps: EndpointRoutesDeps): Router {
  const router = Router();

  // Plainly spelled push URLs never get here (see push-request.ts); these routes take
  // the rest. `/wpush/{token}` is the pre-v2 URL form and means v1; any version other
  // than v1/v2 reaches the use case and is refused there as an invalid URL (404/102).
  router.post('/wpush/:apiVersion/:token', (req, res) =>
    servePush(deps.accept, req, res, {
      apiVersion: param(req, 'apiVersion'),
      token: param(req, 'token'),
    }),
  );
  router.post('/wpush/:token', (req, res) =>
    servePush(deps.accept, req, res, { apiVersion: 'v1', token: param(req, 'token') }),
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
    answerFailure(log, error, res, { method: req.method, route: routeOf(req) });
  };
}

/**
 * What {@link errorAnswer} does, for requests served without express: a client error
 * keeps its 4xx, anything else is logged (name, message, method and route pattern only)
 * and answered 500/999, or the connection is cut if the answer had already started.
 */
export function answerFailure(
  log: Logger,
  error: unknown,
  res: ServerResponse,
  where: { readonly method: string | undefined; readonly route: string },
): void {
  const status = clientErrorStatus(error);
  if (status !== undefined) {
    sendError(res, { status, errno: null, message: 'Bad request' });
    return;
  }
  log.error({ err: errorSummary(error), ...where }, 'request failed');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, { status: 500, errno: 999, message: 'An unexpected server error occurred' });
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
