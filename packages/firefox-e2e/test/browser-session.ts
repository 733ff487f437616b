import { sendPush, type SendPushOptions } from '@herald/testkit';
import type { AppServer, BrowserSubscription, RunningFirefox } from '../src';

const PUSH_CLIENT_TIMEOUT_MS = 30_000;
const SUBSCRIBE_TIMEOUT_MS = 20_000;
const DELIVERY_TIMEOUT_MS = 15_000;

/**
 * Opens the gate for `firefox` (it starts on {@link AppServer.gateUrl}), waits for its
 * push client to have its `hello` answered and for the app page to report a
 * subscription (a report at or after `from`). Prints launch → hello and launch →
 * subscribed. Rejects with Firefox's output when it dies or stalls.
 */
export async function openApp(
  firefox: RunningFirefox,
  app: AppServer,
  from: number,
): Promise<{ subscription: BrowserSubscription; resumed: boolean }> {
  app.gateOn(() => firefox.pushClientReady);
  const helloMs = await firefox.waitForPushClient(PUSH_CLIENT_TIMEOUT_MS);
  let report;
  try {
    report = await app.waitForReport('subscription', from, { timeoutMs: SUBSCRIBE_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`${(error as Error).message}\nFirefox said:\n${firefox.output()}`, {
      cause: error,
    });
  }
  console.log(
    `Firefox launch → push hello answered ${helloMs} ms, → subscription posted ${report.atMs - firefox.launchedAtMs} ms (${report.resumed ? 'existing' : 'new'} subscription)`,
  );
  return { subscription: report.subscription, resumed: report.resumed };
}

/**
 * Sends `text` with web-push (encrypted, VAPID-signed), expects 201 and waits until the
 * service worker reports exactly `text`. Prints POST → service worker time.
 */
export async function pushAndAwait(
  app: AppServer,
  subscription: BrowserSubscription,
  text: string,
  options: SendPushOptions,
): Promise<void> {
  const from = app.mark();
  const sentAtMs = Date.now();
  const reply = await sendPush(subscription, text, { ttl: 60, ...options });
  if (reply.status !== 201) {
    throw new Error(`push answered ${reply.status}, not 201: ${reply.body}`);
  }
  const received = await app.waitForReport('received', from, {
    timeoutMs: DELIVERY_TIMEOUT_MS,
    accept: (r) => r.text === text,
  });
  console.log(
    `push (${options.contentEncoding ?? 'aes128gcm'}) POST → service worker ${received.atMs - sentAtMs} ms`,
  );
}
