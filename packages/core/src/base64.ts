/**
 * Strict base64 decoding. `Buffer.from(s, 'base64url')` silently skips characters outside
 * the alphabet and ignores the unused low bits of the last character, so two different
 * strings can decode to the same bytes; tokens and keys are checked here first so that
 * every accepted string has exactly one meaning.
 */

const URL_SAFE = 1;
const STANDARD = 2;

/** Per char code: which alphabets it belongs to (bit flags), 0 for neither. */
const ALPHABET = new Uint8Array(128);
for (let c = 0x41; c <= 0x5a; c++) ALPHABET[c] = URL_SAFE | STANDARD; // A-Z
for (let c = 0x61; c <= 0x7a; c++) ALPHABET[c] = URL_SAFE | STANDARD; // a-z
for (let c = 0x30; c <= 0x39; c++) ALPHABET[c] = URL_SAFE | STANDARD; // 0-9
ALPHABET[0x2d] = URL_SAFE; // -
ALPHABET[0x5f] = URL_SAFE; // _
ALPHABET[0x2b] = STANDARD; // +
ALPHABET[0x2f] = STANDARD; // /

/** Index of a char code in either alphabet (both map the shared characters alike). */
const ALPHABET_INDEX = new Uint8Array(128);
{
  const std = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < 64; i++) ALPHABET_INDEX[std.charCodeAt(i)] = i;
  ALPHABET_INDEX[0x2d] = 62; // -
  ALPHABET_INDEX[0x5f] = 63; // _
}

/** Length of `s` once trailing `=` are removed. */
function unpaddedLength(s: string): number {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x3d) end--;
  return end;
}

function decode(
  s: string,
  alphabet: number,
  encoding: 'base64url' | 'base64',
  allowPadding: boolean,
): Buffer | undefined {
  const end = allowPadding ? unpaddedLength(s) : s.length;
  // A single leftover character cannot encode a whole byte.
  if (end % 4 === 1) return undefined;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || (ALPHABET[c]! & alphabet) === 0) return undefined;
  }
  const bytes = Buffer.from(end === s.length ? s : s.slice(0, end), encoding);
  // Reject non-zero unused bits in the last character (a second spelling of the same bytes).
  const tail = end % 4;
  if (tail !== 0) {
    const last = ALPHABET_INDEX[s.charCodeAt(end - 1)]!;
    const unusedBitsMask = tail === 2 ? 0x0f : 0x03;
    if ((last & unusedBitsMask) !== 0) return undefined;
  }
  return bytes;
}

/** Decodes URL-safe base64 without padding; `undefined` for anything else. */
export function decodeBase64UrlStrict(s: string): Buffer | undefined {
  return decode(s, URL_SAFE, 'base64url', false);
}

/** Decodes URL-safe base64, ignoring any trailing `=` padding. */
export function decodeBase64UrlPadded(s: string): Buffer | undefined {
  return decode(s, URL_SAFE, 'base64url', true);
}

/**
 * Decodes a key as autoendpoint does (push-protocol.md §4.2): trailing `=` ignored,
 * standard alphabet when the text holds `+` or `/`, URL-safe otherwise.
 */
export function decodeBase64AnyAlphabet(s: string): Buffer | undefined {
  const standard = s.includes('+') || s.includes('/');
  return standard ? decode(s, STANDARD, 'base64', true) : decode(s, URL_SAFE, 'base64url', true);
}
