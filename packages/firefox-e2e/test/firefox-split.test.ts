/**
 * The same browser against the split deployment: the push goes in at an endpoint node,
 * crosses NATS and reaches Firefox through a separate connection node, with the
 * subscription kept in a separate DynamoDB-compatible server.
 */
import { generateVapidKeys, type VapidDetails } from '@herald/testkit';
import {
  AppServer,
  launchFirefox,
  startSplitDeployment,
  type RunningFirefox,
  type SplitDeployment,
} from '../src';
import { openApp, pushAndAwait } from './browser-session';

jest.setTimeout(90_000);

describe('Firefox ESR subscribing and receiving through the split deployment', () => {
  let herald: SplitDeployment | undefined;
  let app: AppServer | undefined;
  let firefox: RunningFirefox | undefined;
  let vapid: VapidDetails;

  beforeAll(async () => {
    vapid = { subject: 'mailto:firefox-e2e@herald.test', ...generateVapidKeys() };
    herald = await startSplitDeployment();
    app = await AppServer.start({ applicationServerKey: vapid.publicKey });
  });

  afterAll(async () => {
    await firefox?.stop();
    await app?.close();
    await herald?.stop();
  });

  it('delivers a push through an endpoint node, NATS and a connection node while the page is open', async () => {
    const from = app!.mark();
    firefox = await launchFirefox({
      serverUrl: herald!.wsUrl,
      loopbackOrigin: app!.loopbackOrigin,
      startUrl: app!.gateUrl(),
    });
    const { subscription } = await openApp(firefox, app!, from);
    expect(subscription.endpoint.startsWith(`${herald!.publicOrigin}/wpush/v2/`)).toBe(true);

    await pushAndAwait(app!, subscription, 'across the split deployment ✓', { vapid });
    await pushAndAwait(app!, subscription, 'and aesgcm too ✓', {
      vapid,
      contentEncoding: 'aesgcm',
    });
  });

  it("leaves no error in any herald process's log", async () => {
    await firefox!.stop();
    expect(herald!.errorLines()).toEqual([]);
  });
});
