import { createHash, createHmac } from 'node:crypto';
import type { AwsCredentials } from './aws-credentials';

/** The request parts Signature Version 4 covers, for a request with an empty query string. */
export interface SignableRequest {
  readonly method: string;
  /** Already URI-encoded, e.g. `/`. */
  readonly path: string;
  /**
   * The headers to sign, names in lowercase, values without leading or trailing spaces.
   * `host` must be among them; `x-amz-date` and `x-amz-security-token` are added by
   * {@link SigV4Signer.sign} and must not be.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The payload; a Buffer is hashed as it is, a string as its UTF-8 bytes. */
  readonly body: string | Buffer;
}

/** The headers to add to the request: `authorization`, `x-amz-date`, maybe the token. */
export interface SignatureHeaders {
  readonly authorization: string;
  readonly 'x-amz-date': string;
  readonly 'x-amz-security-token'?: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';

/**
 * AWS Signature Version 4 (header form) for one region and service, written against the
 * published algorithm with `node:crypto`. The signing key depends only on the secret key,
 * the UTC date, the region and the service, so it is derived once and reused until the
 * date or the credentials change: a request then costs two SHA-256 digests and one HMAC.
 */
export class SigV4Signer {
  private readonly region: string;
  private readonly service: string;
  private cachedKey: { secretAccessKey: string; date: string; key: Buffer } | undefined;
  private cachedAmzDate = { second: NaN, amzDate: '' };

  constructor(options: { region: string; service: string }) {
    this.region = options.region;
    this.service = options.service;
  }

  sign(request: SignableRequest, credentials: AwsCredentials, now: Date): SignatureHeaders {
    const amzDate = this.amzDate(now);
    const date = amzDate.slice(0, 8);
    const headers: Record<string, string> = { ...request.headers, 'x-amz-date': amzDate };
    if (credentials.sessionToken !== undefined) {
      headers['x-amz-security-token'] = credentials.sessionToken;
    }
    const names = Object.keys(headers).sort();
    let canonicalHeaders = '';
    for (const name of names) canonicalHeaders += `${name}:${headers[name]}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = [
      request.method,
      request.path,
      '', // the query string: DynamoDB's JSON protocol has none
      canonicalHeaders,
      signedHeaders,
      sha256Hex(request.body),
    ].join('\n');
    const scope = `${date}/${this.region}/${this.service}/${TERMINATOR}`;
    const stringToSign = `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.signingKey(credentials.secretAccessKey, date))
      .update(stringToSign, 'utf8')
      .digest('hex');
    const authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return credentials.sessionToken === undefined
      ? { authorization, 'x-amz-date': amzDate }
      : {
          authorization,
          'x-amz-date': amzDate,
          'x-amz-security-token': credentials.sessionToken,
        };
  }

  /** Formatting a date is a measurable share of signing; it changes once a second. */
  private amzDate(now: Date): string {
    const second = Math.floor(now.getTime() / 1000);
    if (second !== this.cachedAmzDate.second) {
      this.cachedAmzDate = { second, amzDate: amzDateOf(now) };
    }
    return this.cachedAmzDate.amzDate;
  }

  private signingKey(secretAccessKey: string, date: string): Buffer {
    const cached = this.cachedKey;
    if (cached?.date === date && cached.secretAccessKey === secretAccessKey) return cached.key;
    const dateKey = hmac(`AWS4${secretAccessKey}`, date);
    const key = hmac(hmac(hmac(dateKey, this.region), this.service), TERMINATOR);
    this.cachedKey = { secretAccessKey, date, key };
    return key;
  }
}

/** `YYYYMMDDTHHMMSSZ`, the timestamp format of `x-amz-date`. */
export function amzDateOf(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function sha256Hex(data: string | Buffer): string {
  const hash = createHash('sha256');
  return (typeof data === 'string' ? hash.update(data, 'utf8') : hash.update(data)).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
