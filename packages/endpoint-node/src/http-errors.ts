/**
 * The one place a refusal becomes an HTTP answer. Every error the endpoint sends —
 * push rejections, unknown routes, internal failures — has autopush's JSON shape
 * (push-protocol.md §3.6), so a sender's error handling never meets an HTML page.
 *
 * Deliberate difference from autopush: autopush strips the body of every 404
 * (an Actix error hook); Herald keeps the JSON body on 404 too, so a sender can tell an
 * invalid endpoint (errno 102) from an unknown route (errno null).
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { PUSH_ERRORS, type PushRejection } from '@herald/core';

/** Where the errno table is documented; every error body links to it. */
export const ERROR_DOCS_URL =
  'https://github.com/herald-push/herald/blob/main/docs/http-api.md#errors';

/** How long a sender may cache a 410 (the subscription will never come back). */
const GONE_CACHE_SECONDS = 86_400;

/** How long a sender should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 120;

/** The JSON body of every error answer. */
export interface ErrorBody {
  readonly code: number;
  readonly errno: number | null;
  readonly error: string;
  readonly message: string;
  readonly more_info: string;
}

/** An error answer before it is written: the status, autopush's errno, and the text. */
export interface ErrorAnswer {
  readonly status: number;
  readonly errno: number | null;
  readonly message: string;
  /**
   * The `WWW-Authenticate` value of a 401. Default `vapid`, the push API's scheme; the
   * admin API names its bearer token instead.
   */
  readonly challenge?: string;
}

/** Maps a rejection through the shared errno table (`PUSH_ERRORS`). */
export function answerFor(rejection: PushRejection): ErrorAnswer {
  const { status, errno } = PUSH_ERRORS[rejection.code];
  return { status, errno, message: rejection.message };
}

/** The body for an answer; exported so tests and docs can state the exact shape. */
export function errorBody(answer: ErrorAnswer): ErrorBody {
  return {
    code: answer.status,
    errno: answer.errno,
    error: STATUS_CODES[answer.status] ?? 'Error',
    message: answer.message,
    more_info: ERROR_DOCS_URL,
  };
}

/** Writes a push rejection: status, the status-specific headers, and the JSON body. */
export function sendRejection(res: ServerResponse, rejection: PushRejection): void {
  sendError(res, answerFor(rejection));
}

/**
 * Writes any error answer. The extra headers follow the status, not the errno, so an
 * answer that did not come from a rejection (a 503 from an unexpected path) still
 * tells the sender when to retry. Plain `node:http`, so the push path can answer
 * without express; the headers are those express's `res.json` would write.
 */
export function sendError(res: ServerResponse, answer: ErrorAnswer): void {
  if (res.headersSent) return;
  switch (answer.status) {
    case 401:
      // RFC 8292 §4.1: a 401 names the auth scheme the sender should use.
      res.setHeader('WWW-Authenticate', answer.challenge ?? 'vapid');
      break;
    case 410:
      res.setHeader('Cache-Control', `max-age=${GONE_CACHE_SECONDS}`);
      break;
    case 503:
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      break;
    default:
      break;
  }
  const body = JSON.stringify(errorBody(answer));
  res.statusCode = answer.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
