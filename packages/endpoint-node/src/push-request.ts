/**
 * The push route on plain `node:http` types: `POST /wpush/{apiVersion}/{token}` and the
 * pre-v2 `POST /wpush/{token}` (which means v1).
 *
 * Pushes are nearly all of an endpoint's traffic, and express's per-request work (the
 * router's layer walk, prototype swaps, response helpers) cost more CPU than the rest of
 * the push path together. So `createEndpointApp` hands a push whose path is spelled
 * plainly straight to {@link servePush}, and sends everything else through express:
 * other routes, and push paths express would decode or normalise (percent-escapes,
 * trailing slashes, other letter case, empty segments). Its push routes call the same
 * `servePush`, so both ways answer alike.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptPush, type AcceptPushDeps } from './accept-push';
import { CORS_HEADERS, addCorsHeaders } from './cors';
import { sendRejection } from './http-errors';
import { readBody } from './read-body';

/** The two path parameters, as the express routes would have parsed them. */
export interface PushPath {
  /** `v1`, `v2`, or anything else (refused by the use case as an invalid URL). */
  readonly apiVersion: string;
  readonly token: string;
  /** The route pattern that matched, for error logs (never the URL: it holds the token). */
  readonly route: PushRoute;
}

export type PushRoute = '/wpush/:apiVersion/:token' | '/wpush/:token';

const PREFIX = '/wpush/';
const SLASH = 0x2f;

/** Characters of base64url and of `v1`/`v2`: what real endpoint URLs are made of. */
function isPlainPathChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || // -
    c === 0x5f // _
  );
}

/**
 * The path parameters of a push URL made only of base64url characters in one or two
 * non-empty segments after `/wpush/` (a query string is ignored, as express ignores it);
 * `undefined` for any other URL, which express then routes.
 */
export function plainPushPath(url: string): PushPath | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const query = url.indexOf('?', PREFIX.length);
  const end = query === -1 ? url.length : query;
  let slash = -1;
  for (let i = PREFIX.length; i < end; i++) {
    const c = url.charCodeAt(i);
    if (c === SLASH) {
      if (slash !== -1) return undefined;
      slash = i;
    } else if (!isPlainPathChar(c)) {
      return undefined;
    }
  }
  if (slash === -1) {
    if (end === PREFIX.length) return undefined;
    return { apiVersion: 'v1', token: url.slice(PREFIX.length, end), route: '/wpush/:token' };
  }
  // An empty segment, or a trailing slash, which express's non-strict routing accepts.
  if (slash === PREFIX.length || slash === end - 1) return undefined;
  return {
    apiVersion: url.slice(PREFIX.length, slash),
    token: url.slice(slash + 1, end),
    route: '/wpush/:apiVersion/:token',
  };
}

/**
 * Reads the body, runs {@link acceptPush} and writes its outcome with the CORS headers:
 * `201` with `Location` and `TTL`, or the rejection's JSON error. Rejects when the body cannot be read (the
 * error carries status 400 if the client went away) or on a programming error; the
 * caller answers those like express's error handler does.
 */
export async function servePush(
  deps: AcceptPushDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: Pick<PushPath, 'apiVersion' | 'token'>,
): Promise<void> {
  const body = await readBody(req, deps.maxBodyBytes);
  const { headers } = req;
  const outcome = await acceptPush(deps, {
    apiVersion: path.apiVersion,
    token: path.token,
    authorization: headers.authorization,
    cryptoKey: single(headers['crypto-key']),
    ttl: single(headers.ttl),
    topic: single(headers.topic),
    urgency: single(headers.urgency),
    contentEncoding: headers['content-encoding'],
    encryption: single(headers.encryption),
    body,
  });
  switch (outcome.kind) {
    case 'accepted':
      // One writeHead with every header: cheaper than a setHeader call per header.
      res.writeHead(201, [
        ...CORS_HEADERS,
        'Location',
        outcome.location,
        'TTL',
        String(outcome.ttlSeconds),
      ]);
      res.end();
      return;
    case 'rejected':
      addCorsHeaders(res);
      sendRejection(res, outcome.rejection);
      return;
  }
}

/**
 * Node joins repeated unknown headers with `, ` into one string; the type allows the
 * array form only for `set-cookie`-like headers, which these never are.
 */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
