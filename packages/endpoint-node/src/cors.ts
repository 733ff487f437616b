/**
 * CORS for every route: push endpoints are called from anywhere, including browser
 * pages that send pushes themselves (demo sites, service-worker tests). Any origin is
 * allowed; no credentials are involved, so `*` is safe. Preflights are answered here
 * with 204 and never reach a route.
 *
 * The allowed request headers are the ones a push uses (autopush's Python list without
 * the draft-era `encryption-key`, plus `topic` and `urgency`); the exposed ones let a
 * page read the message location, the effective TTL and the auth challenge.
 */
import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

const ALLOW_METHODS = 'DELETE, GET, POST, PUT, OPTIONS';
const ALLOW_HEADERS =
  'content-encoding, encryption, crypto-key, ttl, topic, urgency, content-type, authorization';
const EXPOSE_HEADERS = 'location, ttl, www-authenticate';
const PREFLIGHT_MAX_AGE_SECONDS = 3600;

/** The headers every answer carries, preflight or not, as name, value, name, value. */
export const CORS_HEADERS: readonly string[] = [
  'Access-Control-Allow-Origin',
  '*',
  'Access-Control-Expose-Headers',
  EXPOSE_HEADERS,
];

/** Sets {@link CORS_HEADERS} on `res`. */
export function addCorsHeaders(res: ServerResponse): void {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
}

/** Adds the CORS headers to every answer and ends OPTIONS requests with 204. */
export function cors(req: Request, res: Response, next: NextFunction): void {
  addCorsHeaders(res);
  if (req.method !== 'OPTIONS') {
    next();
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', ALLOW_METHODS);
  res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
  res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  res.status(204).end();
}
