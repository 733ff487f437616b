/**
 * Times every answered request for `herald_endpoint_request_duration_seconds`. The route
 * label comes from the method and the first path segment, never from the path itself:
 * push and DELETE paths hold tokens and message ids.
 */
import type { ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { EndpointMetrics, RouteLabel } from './endpoint-metrics';

/** Which fixed route name a request counts under. */
export function routeLabelOf(req: Pick<Request, 'method' | 'path'>): RouteLabel {
  if (req.method === 'OPTIONS') return 'cors';
  if (req.method === 'POST' && req.path.startsWith('/wpush/')) return 'push';
  if (req.method === 'DELETE' && req.path.startsWith('/m/')) return 'delete';
  if (req.path === '/v1/broadcasts' || req.path.startsWith('/v1/broadcasts/')) return 'admin';
  return 'other';
}

/**
 * Middleware mounted first, so the time covers body reading, storage and the answer.
 * A request whose client went away before the answer was written is not observed: it
 * has no status to label it with.
 */
export function timeRequests(metrics: EndpointMetrics): RequestHandler {
  return (req, res, next) => {
    timeAnswer(metrics, routeLabelOf(req), res);
    next();
  };
}

/** Observes the request that `res` answers once its answer is written ('finish'). */
export function timeAnswer(
  metrics: EndpointMetrics,
  route: RouteLabel,
  res: Pick<ServerResponse, 'once' | 'statusCode'>,
): void {
  const startedAtMs = performance.now();
  res.once('finish', () =>
    metrics.requestAnswered(route, res.statusCode, (performance.now() - startedAtMs) / 1000),
  );
}
