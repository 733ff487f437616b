/**
 * `scheme://host[:port]` of an http(s) URL: lowercase host, default port omitted, no path
 * and no trailing slash. This is the only form a VAPID `aud` may take (push-protocol.md
 * §4.3), and the prefix of every push endpoint. Throws a TypeError for anything that is
 * not an absolute http or https URL.
 */
export function originOf(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError(`not an absolute URL: ${url}`, { cause });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`not an http(s) URL: ${parsed.protocol}`);
  }
  return parsed.origin;
}
