/**
 * The admin API's bearer token check. The token is compared in constant time on SHA-256
 * digests: `timingSafeEqual` needs equal lengths, and comparing digests instead of the
 * raw strings keeps the length of the configured token from leaking through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Holds the digest of the configured token; the token itself is not kept. */
export class AdminToken {
  private readonly expected: Buffer;

  /** `token` is `HERALD_ADMIN_TOKEN`; an empty one would accept nothing, so it throws. */
  constructor(token: string) {
    if (token.length === 0) throw new TypeError('adminToken must not be empty');
    this.expected = digest(token);
  }

  /**
   * True when `authorization` is `Bearer <the token>` (scheme in any case). A missing or
   * malformed header is false, never an exception.
   */
  accepts(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const given = BEARER.exec(authorization)?.[1];
    if (given === undefined) return false;
    return timingSafeEqual(digest(given), this.expected);
  }
}
