import type { PushRejection } from './errno';
import type { NotificationHeaders, Urgency } from './model';

/**
 * RFC 8030 / 8291 request headers of a push, checked in autoendpoint's order
 * (push-protocol.md §3.2 step 6, §3.3): TTL, Topic, Urgency, then — only for a non-empty
 * body — Content-Encoding, Encryption and Crypto-Key.
 */

export interface PushHeaderValues {
  readonly ttl?: string;
  readonly topic?: string;
  readonly urgency?: string;
  readonly contentEncoding?: string;
  readonly encryption?: string;
  readonly cryptoKey?: string;
}

export type PushHeadersOutcome =
  | {
      readonly ok: true;
      /** After clamping to `maxTtlSeconds`. */
      readonly ttlSeconds: number;
      readonly topic?: string;
      readonly urgency: Urgency;
      /** Cleaned encryption headers for the frame; present exactly when the body is non-empty. */
      readonly headers?: NotificationHeaders;
    }
  | { readonly ok: false; readonly rejection: PushRejection };

const SIGNED_INTEGER = /^[+-]?[0-9]+$/;
/** URL-safe base64 with optional trailing padding (autoendpoint's topic and salt rule). */
const BASE64URL_VALUE = /^[0-9A-Za-z_-]+=*$/;
const TOPIC_MAX_CHARS = 32;
/** Base64 padding right before a separator or the end (§2.6 "strip_header"). */
const PADDING_BEFORE_SEPARATOR = /=+(?=[,;]|$)/g;
const QUOTES = /"/g;
const URGENCIES: ReadonlySet<string> = new Set<Urgency>(['very-low', 'low', 'normal', 'high']);

function reject(code: PushRejection['code'], message: string): PushHeadersOutcome {
  return { ok: false, rejection: { code, message } };
}

/**
 * Parses `Crypto-Key`/`Encryption` syntax: `,`-separated sections of `;`-separated
 * `name=value` items. Names are trimmed; values are trimmed of spaces and `"`. An item
 * without `=` makes the whole header invalid (`undefined`); empty items are skipped.
 */
export function parseCryptoKey(value: string): Map<string, string>[] | undefined {
  const sections: Map<string, string>[] = [];
  for (const section of value.split(',')) {
    const items = new Map<string, string>();
    for (const item of section.split(';')) {
      if (item.trim() === '') continue;
      const eq = item.indexOf('=');
      if (eq === -1) return undefined;
      items.set(item.slice(0, eq).trim(), trimValue(item.slice(eq + 1)));
    }
    sections.push(items);
  }
  return sections;
}

function trimValue(v: string): string {
  let start = 0;
  let end = v.length;
  while (start < end && (v[start] === ' ' || v[start] === '"' || v[start] === '\t')) start++;
  while (end > start && (v[end - 1] === ' ' || v[end - 1] === '"' || v[end - 1] === '\t')) end--;
  return v.slice(start, end);
}

function findItem(sections: readonly Map<string, string>[], name: string): string | undefined {
  for (const s of sections) {
    const v = s.get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Quotes removed, base64 padding stripped before `,` `;` or the end, as Firefox expects. */
function cleanHeader(value: string): string {
  return value.replace(QUOTES, '').replace(PADDING_BEFORE_SEPARATOR, '');
}

function parseTtl(ttl: string | undefined, maxTtlSeconds: number): number | PushHeadersOutcome {
  if (ttl === undefined || !SIGNED_INTEGER.test(ttl))
    return reject('ttl-missing', 'Missing TTL value');
  const seconds = Number(ttl);
  if (seconds < 0) return reject('ttl-negative', 'TTL must be greater than 0');
  // `+ 0` turns a "-0" header into 0.
  return Math.min(seconds, maxTtlSeconds) + 0;
}

function checkEncryption(h: PushHeaderValues): PushRejection | NotificationHeaders {
  const encoding = h.contentEncoding;
  if (encoding === undefined)
    return { code: 'encryption-headers', message: 'Missing Content-Encoding header' };
  if (encoding !== 'aesgcm' && encoding !== 'aes128gcm') {
    return { code: 'encryption-headers', message: 'Unknown Content-Encoding header' };
  }
  const encryption = h.encryption === undefined ? undefined : parseCryptoKey(h.encryption);
  const cryptoKey = h.cryptoKey === undefined ? undefined : parseCryptoKey(h.cryptoKey);
  if (h.encryption !== undefined && encryption === undefined) {
    return { code: 'encryption-headers', message: 'Invalid Encryption header' };
  }
  if (h.cryptoKey !== undefined && cryptoKey === undefined) {
    return { code: 'encryption-headers', message: 'Invalid Crypto-Key header' };
  }
  if (encoding === 'aesgcm') {
    const salt = encryption === undefined ? undefined : findItem(encryption, 'salt');
    if (salt === undefined || !BASE64URL_VALUE.test(salt)) {
      return {
        code: 'encryption-headers',
        message: 'Missing or invalid salt in Encryption header',
      };
    }
    if (cryptoKey !== undefined && !findItem(cryptoKey, 'dh')) {
      return { code: 'encryption-headers', message: 'Missing dh in Crypto-Key header' };
    }
  } else {
    if (encryption !== undefined && findItem(encryption, 'salt') !== undefined) {
      return {
        code: 'encryption-headers',
        message: 'Encryption header must not have salt for aes128gcm',
      };
    }
    if (cryptoKey !== undefined && findItem(cryptoKey, 'dh') !== undefined) {
      return {
        code: 'encryption-headers',
        message: 'Crypto-Key header must not have dh for aes128gcm',
      };
    }
  }
  const headers: { encoding: 'aesgcm' | 'aes128gcm'; encryption?: string; crypto_key?: string } = {
    encoding,
  };
  if (h.encryption !== undefined) headers.encryption = cleanHeader(h.encryption);
  if (h.cryptoKey !== undefined) headers.crypto_key = cleanHeader(h.cryptoKey);
  return headers;
}

/**
 * Validates a push's headers. TTL: missing or not an integer → 111, negative → 114,
 * above `maxTtlSeconds` → clamped. Topic: ≤ 32 URL-safe base64 chars → else 113.
 * Urgency: absent → `normal`, one of the four RFC 8030 values → else 115. With
 * `bodyBytes > 0` the encryption headers must be consistent (110) and are returned
 * cleaned; with an empty body they are ignored entirely.
 */
export function parsePushHeaders(
  h: PushHeaderValues,
  o: { bodyBytes: number; maxTtlSeconds: number },
): PushHeadersOutcome {
  const ttlSeconds = parseTtl(h.ttl, o.maxTtlSeconds);
  if (typeof ttlSeconds !== 'number') return ttlSeconds;

  const topic = h.topic;
  if (topic !== undefined && (topic.length > TOPIC_MAX_CHARS || !BASE64URL_VALUE.test(topic))) {
    return reject('topic-invalid', 'Topic must be at most 32 URL-safe base64 characters');
  }

  const urgency = h.urgency ?? 'normal';
  if (!URGENCIES.has(urgency))
    return reject('urgency-invalid', 'Urgency must be very-low, low, normal or high');

  let headers: NotificationHeaders | undefined;
  if (o.bodyBytes > 0) {
    const checked = checkEncryption(h);
    if ('code' in checked) return { ok: false, rejection: checked };
    headers = checked;
  }

  return {
    ok: true,
    ttlSeconds,
    urgency: urgency as Urgency,
    ...(topic !== undefined && { topic }),
    ...(headers !== undefined && { headers }),
  };
}
