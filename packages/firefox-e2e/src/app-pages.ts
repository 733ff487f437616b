/**
 * What the test web application serves to Firefox: a gate page, the app page and its
 * service worker. The browser reports everything back over HTTP (POST /subscription,
 * /received, /unsubscribed, /page-error), so the test needs no browser automation
 * protocol at all.
 */

/**
 * Holds the app page back until Firefox's push client is up (GET /push-ready answers
 * 200). Firefox registers its parent-side push listeners in a late idle task ~2 s after
 * start; a `subscribe()` sent before that goes nowhere and never settles (reference
 * firefox-client.md, G1), so the app must not load before then.
 */
export function gatePage(): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>waiting for the push client</title>
<script>
  const next = new URLSearchParams(location.search).get('next') || '/';
  async function poll() {
    try {
      const res = await fetch('/push-ready', { cache: 'no-store' });
      if (res.status === 200) return location.replace(next);
    } catch (e) {}
    setTimeout(poll, 50);
  }
  poll();
</script>
`;
}

/**
 * Registers /sw.js, reuses the subscription the profile already has or subscribes with
 * the test's VAPID public key (a v2 endpoint), reports it, then polls /command for
 * instructions (only `unsubscribe` today).
 */
export function appPage(applicationServerKey: string): string {
  return `<!doctype html>
<meta charset="utf-8">
<title>Herald test app</title>
<script>
  const applicationServerKey = ${JSON.stringify(applicationServerKey)};

  function keyBytes(base64url) {
    const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  }

  async function report(path, body) {
    await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  async function obey(registration, command) {
    if (command.type === 'unsubscribe') {
      const subscription = await registration.pushManager.getSubscription();
      const unsubscribed = subscription !== null && (await subscription.unsubscribe());
      await report('/unsubscribed', { unsubscribed });
    }
  }

  async function pollCommands(registration) {
    const res = await fetch('/command', { cache: 'no-store' });
    if (res.status === 200) await obey(registration, await res.json());
    setTimeout(() => pollCommands(registration).catch(fail), res.status === 200 ? 0 : 100);
  }

  function fail(error) {
    report('/page-error', { message: String((error && error.stack) || error) });
  }

  async function main() {
    const registration = await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    const existing = await registration.pushManager.getSubscription();
    const subscription =
      existing ||
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(applicationServerKey),
      }));
    await report('/subscription', { resumed: existing !== null, subscription: subscription.toJSON() });
    await pollCommands(registration);
  }

  main().catch(fail);
</script>
`;
}

/** Reports each push's decrypted text (null for a push without data) back to the test. */
export function serviceWorker(): string {
  return `self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  const text = event.data === null ? null : event.data.text();
  // waitUntil keeps the worker alive until the report is out; Firefox acks regardless.
  event.waitUntil(
    fetch('/received', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    }),
  );
});
`;
}
