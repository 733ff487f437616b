import * as http from 'node:http';
import * as https from 'node:https';
import { HeraldError, type Broadcasts } from '@herald/core';

/** The endpoint's admin API did not do what was asked; the message says why, for people. */
export class AdminApiError extends HeraldError {
  override readonly name = 'AdminApiError';
}

export interface AdminApiTarget {
  /** The endpoint's origin, e.g. `https://push.example.com`. */
  readonly origin: string;
  /** `HERALD_ADMIN_TOKEN`; sent as a Bearer token, never printed. */
  readonly token: string;
  readonly timeoutMs: number;
}

/** `PUT /v1/broadcasts/{id}`: sets one version; resolves with every broadcast after it. */
export function setBroadcast(
  target: AdminApiTarget,
  broadcastId: string,
  version: string,
): Promise<Broadcasts> {
  // Ids contain `/` (remote-settings/monitor_changes): each segment is encoded, the
  // separators are kept, which is how the route reads them back.
  const path = `/v1/broadcasts/${broadcastId.split('/').map(encodeURIComponent).join('/')}`;
  return call(target, 'PUT', path, JSON.stringify({ version }));
}

/** `GET /v1/broadcasts`: every broadcast id and its version. */
export function listBroadcasts(target: AdminApiTarget): Promise<Broadcasts> {
  return call(target, 'GET', '/v1/broadcasts', undefined);
}

async function call(
  target: AdminApiTarget,
  method: 'GET' | 'PUT',
  path: string,
  body: string | undefined,
): Promise<Broadcasts> {
  const url = new URL(path, target.origin);
  const reply = await request(url, method, target, body);
  if (reply.status === 200) {
    const broadcasts = parseBroadcasts(reply.body);
    if (broadcasts !== undefined) return broadcasts;
    throw new AdminApiError(`${url.origin} answered 200 without a {"broadcasts": {…}} body`);
  }
  throw new AdminApiError(explain(url, reply));
}

function explain(url: URL, reply: Reply): string {
  const detail = messageOf(reply.body);
  switch (reply.status) {
    case 401:
      return `${url.origin} refused HERALD_ADMIN_TOKEN (401): it is not the endpoint's token`;
    case 404:
      return `${url.origin} has no broadcast admin API (404): is HERALD_ADMIN_TOKEN set on the endpoint node, and is this the endpoint's URL?`;
    default:
      return `${url.origin} answered ${reply.status}${detail !== undefined ? `: ${detail}` : ''}`;
  }
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

function request(
  url: URL,
  method: string,
  target: AdminApiTarget,
  body: string | undefined,
): Promise<Reply> {
  const transport = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.token}`,
    accept: 'application/json',
  };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const outgoing = transport.request(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    outgoing.setTimeout(target.timeoutMs, () =>
      outgoing.destroy(new Error(`no answer within ${target.timeoutMs} ms`)),
    );
    outgoing.on('error', (error) =>
      reject(new AdminApiError(`cannot reach ${url.origin}: ${error.message}`, { cause: error })),
    );
    outgoing.end(body);
  });
}

function parseBroadcasts(text: string): Broadcasts | undefined {
  const value = parseJson(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const broadcasts: unknown = (value as Record<string, unknown>)['broadcasts'];
  if (typeof broadcasts !== 'object' || broadcasts === null || Array.isArray(broadcasts))
    return undefined;
  const entries = Object.entries(broadcasts as Record<string, unknown>);
  if (!entries.every(([, version]) => typeof version === 'string')) return undefined;
  return Object.fromEntries(entries) as Broadcasts;
}

/** The `message` of Herald's JSON error body, when there is one. */
function messageOf(text: string): string | undefined {
  const value = parseJson(text);
  if (typeof value !== 'object' || value === null) return undefined;
  const message: unknown = (value as Record<string, unknown>)['message'];
  return typeof message === 'string' ? message : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
