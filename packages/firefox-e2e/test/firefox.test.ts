/**
 * Debian's Firefox ESR, headless, as the judge of `herald dev`: it subscribes through
 * Herald, its service worker reports what it decrypted, and Herald's log must stay free
 * of errors throughout. The cases share one Herald, one profile and (between restarts)
 * one browser, and run in order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVapidKeys, sendPush, type VapidDetails } from '@herald/testkit';
import {
  AppServer,
  launchFirefox,
  startHeraldDev,
  type BrowserSubscription,
  type HeraldDev,
  type RunningFirefox,
} from '../src';
import { openApp, pushAndAwait } from './browser-session';

jest.setTimeout(90_000);

describe('Firefox ESR subscribing and receiving through herald dev', () => {
  let herald: HeraldDev | undefined;
  let app: AppServer | undefined;
  let firefox: RunningFirefox | undefined;
  let profileDir: string;
  let vapid: VapidDetails;
  let subscription: BrowserSubscription;

  beforeAll(async () => {
    vapid = { subject: 'mailto:firefox-e2e@herald.test', ...generateVapidKeys() };
    profileDir = await mkdtemp(join(tmpdir(), 'herald-ff-profile-'));
    herald = await startHeraldDev();
    app = await AppServer.start({ applicationServerKey: vapid.publicKey });
  });

  afterAll(async () => {
    await firefox?.stop();
    await app?.close();
    await herald?.stop();
    await rm(profileDir, { recursive: true, force: true });
  });

  /** Launches Firefox on the shared profile and waits until the app page has reported its subscription. */
  async function relaunch(): Promise<{ resumed: boolean; from: number }> {
    await firefox?.stop();
    const from = app!.mark();
    firefox = await launchFirefox({
      profileDir,
      serverUrl: herald!.wsUrl,
      loopbackOrigin: app!.loopbackOrigin,
      startUrl: app!.gateUrl(),
    });
    const opened = await openApp(firefox, app!, from);
    subscription = opened.subscription;
    return { resumed: opened.resumed, from };
  }

  it('delivers aes128gcm and aesgcm pushes with VAPID to the service worker while the page is open', async () => {
    const { resumed } = await relaunch();
    expect(resumed).toBe(false);
    expect(subscription.endpoint.startsWith(`${herald!.publicOrigin}/wpush/v2/`)).toBe(true);

    await pushAndAwait(app!, subscription, 'hello from aes128gcm ✓', {
      vapid,
      contentEncoding: 'aes128gcm',
    });
    await pushAndAwait(app!, subscription, 'hello from aesgcm ✓', {
      vapid,
      contentEncoding: 'aesgcm',
    });
  });

  it('delivers a push sent while Firefox is closed once it restarts with the same profile', async () => {
    await firefox!.stop();
    const reply = await sendPush(subscription, 'sent while closed', { vapid, ttl: 600 });
    expect(reply.status).toBe(201);

    const from = app!.mark();
    const relaunchedAtMs = Date.now();
    const { resumed } = await relaunch();
    const received = await app!.waitForReport('received', from, {
      timeoutMs: 20_000,
      accept: (r) => r.text === 'sent while closed',
    });
    console.log(
      `stored push reached the service worker ${received.atMs - relaunchedAtMs} ms after the relaunch began`,
    );
    expect(resumed).toBe(true);
  });

  it('replaces a stored push with a newer one of the same Topic while Firefox is closed', async () => {
    await firefox!.stop();
    for (const text of ['older, replaced', 'newer, kept']) {
      const reply = await sendPush(subscription, text, { vapid, ttl: 600, topic: 'news' });
      expect(reply.status).toBe(201);
    }

    const { from } = await relaunch();
    await app!.waitForReport('received', from, {
      timeoutMs: 20_000,
      accept: (r) => r.text === 'newer, kept',
    });
    // A push sent after the drain arrives after anything the drain could still deliver,
    // so once it is in, the replaced message has had every chance to show up.
    await pushAndAwait(app!, subscription, 'after the drain', { vapid });
    const texts = app!.reportsSince(from).flatMap((r) => (r.kind === 'received' ? [r.text] : []));
    expect(texts).toEqual(['newer, kept', 'after the drain']);
  });

  it('answers 410 to a push for a subscription the page unsubscribed', async () => {
    const from = app!.mark();
    app!.command({ type: 'unsubscribe' });
    const done = await app!.waitForReport('unsubscribed', from, { timeoutMs: 15_000 });
    expect(done.unsubscribed).toBe(true);

    const reply = await sendPush(subscription, 'to nobody', { vapid, ttl: 600 });
    expect(reply.status).toBe(410);
  });

  it("leaves no error in Herald's log after Firefox's hellos, registers, acks and unregister", async () => {
    await firefox!.stop();
    expect(herald!.process.errorLines()).toEqual([]);
  });
});
