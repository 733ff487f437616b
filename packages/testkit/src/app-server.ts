/**
 * An application server for tests: encrypts and sends pushes the way real senders do
 * (web-push's `generateRequestDetails`), over plain `node:http` so tests need no TLS
 * (web-push's own `sendNotification` always speaks https). `postRaw` and `httpRequest`
 * send hand-made requests for the malformed cases a well-behaved library never produces.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as webpush from 'web-push';

/** A subscription as a browser serialises it; `keys` are needed only to send a payload. */
export interface PushSubscriptionInfo {
  readonly endpoint: string;
  readonly keys?: { readonly p256dh: string; readonly auth: string };
}

/** A VAPID key pair plus the `sub` claim, base64url encoded as web-push prints them. */
export interface VapidDetails {
  readonly subject: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

export interface SendPushOptions {
  /** Signs the request (RFC 8292 `vapid` for aes128gcm, draft-01 `WebPush` for aesgcm). */
  readonly vapid?: VapidDetails;
  /** Seconds; web-push always sends a TTL (default four weeks). Use `postRaw` to omit it. */
  readonly ttl?: number;
  readonly topic?: string;
  readonly urgency?: 'very-low' | 'low' | 'normal' | 'high';
  /** Default `aes128gcm`. */
  readonly contentEncoding?: 'aes128gcm' | 'aesgcm';
  /**
   * Applied after web-push built the request, replacing same-named headers (any case),
   * so a test can send a bad `Topic`, `Urgency` or `Authorization` on an otherwise
   * valid push. A value of `null` removes the header.
   */
  readonly headers?: Readonly<Record<string, string | null>>;
}

/** What came back: status, lower-cased headers, the body as text. */
export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON; throws when it is not JSON. */
  json<T = unknown>(): T;
}

/** A fresh VAPID key pair (P-256, base64url), as `web-push generate-vapid-keys` prints. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}

/**
 * Builds the `Authorization` (and for aesgcm, `Crypto-Key`) headers for an arbitrary
 * audience and expiry, for tests of rejected VAPID tokens. `expiresAtSeconds` may be in
 * the past; it must be less than 24 h ahead (web-push refuses more).
 */
export function vapidHeaders(o: {
  audience: string;
  vapid: VapidDetails;
  contentEncoding?: 'aes128gcm' | 'aesgcm';
  expiresAtSeconds?: number;
}): Record<string, string> {
  const headers = webpush.getVapidHeaders(
    o.audience,
    o.vapid.subject,
    o.vapid.publicKey,
    o.vapid.privateKey,
    o.contentEncoding ?? 'aes128gcm',
    o.expiresAtSeconds,
  );
  const out: Record<string, string> = { Authorization: headers.Authorization };
  if (headers['Crypto-Key'] !== undefined) out['Crypto-Key'] = headers['Crypto-Key'];
  return out;
}

/**
 * Encrypts `payload` for the subscription (RFC 8291 aes128gcm or legacy aesgcm), signs
 * it with VAPID when asked, and POSTs it to the subscription's endpoint. A `null` or
 * empty payload sends an empty body, which needs no subscription keys.
 */
export async function sendPush(
  subscription: PushSubscriptionInfo,
  payload: string | Buffer | null,
  opts: SendPushOptions = {},
): Promise<HttpReply> {
  const hasPayload = payload !== null && payload.length > 0;
  const details = webpush.generateRequestDetails(
    // web-push only reads `keys` when there is a payload.
    subscription as webpush.PushSubscription,
    hasPayload ? payload : undefined,
    {
      TTL: opts.ttl,
      topic: opts.topic,
      urgency: opts.urgency,
      contentEncoding: opts.contentEncoding ?? 'aes128gcm',
      vapidDetails: opts.vapid,
    },
  );
  const headers = overrideHeaders(stringHeaders(details.headers), opts.headers ?? {});
  return httpRequest(details.endpoint, {
    method: 'POST',
    headers,
    body: details.body ?? undefined,
  });
}

/** POSTs exactly the given headers and body: for requests web-push would refuse to build. */
export function postRaw(
  url: string,
  o: { headers?: Readonly<Record<string, string>>; body?: Buffer | string } = {},
): Promise<HttpReply> {
  return httpRequest(url, { method: 'POST', headers: o.headers ?? {}, body: o.body });
}

/** Sends one request and reads the whole reply. Never rejects on an HTTP status. */
export function httpRequest(
  url: string,
  o: { method: string; headers?: Readonly<Record<string, string>>; body?: Buffer | string },
): Promise<HttpReply> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const body = o.body === undefined ? undefined : Buffer.from(o.body);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (body !== undefined && !hasHeader(headers, 'content-length')) {
    headers['Content-Length'] = String(body.length);
  }
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      // A fresh connection per request: tests stop servers between cases, and a pooled
      // keep-alive socket would make the next test depend on the previous one.
      { method: o.method, headers, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function stringHeaders(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = String(value);
  return out;
}

function overrideHeaders(
  base: Record<string, string>,
  overrides: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const out = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    for (const existing of Object.keys(out)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete out[existing];
    }
    if (value !== null) out[name] = value;
  }
  return out;
}

function hasHeader(headers: Readonly<Record<string, string>>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}
