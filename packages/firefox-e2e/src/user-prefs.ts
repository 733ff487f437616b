/**
 * The `user.js` of a test profile: Firefox's push client pointed at Herald, and every
 * feature that would otherwise phone home switched off or pointed at loopback. The list
 * is the one measured in `shared/reference/firefox-client.md` (appendix), where a
 * tcpdump over a two-minute run saw no packet leave the machine with it in place.
 */

/** A pref value as `user_pref()` accepts it. */
export type PrefValue = string | number | boolean;

export interface UserPrefsOptions {
  /** `dom.push.serverURL`: Herald's WebSocket, e.g. `ws://127.0.0.1:8080/`. */
  readonly pushServerUrl: string;
  /**
   * An HTTP origin on loopback that answers 404 to everything Firefox asks of it
   * (Remote Settings, the add-ons discovery pane), e.g. `http://127.0.0.1:9000`.
   */
  readonly loopbackOrigin: string;
  /** Set after the defaults, so a test can override any of them. */
  readonly extraPrefs?: Readonly<Record<string, PrefValue>>;
}

/** The push client itself: Herald over plain ws://, no permission prompt, quick retries. */
function pushPrefs(pushServerUrl: string): Record<string, PrefValue> {
  return {
    'dom.push.serverURL': pushServerUrl,
    // Without it PushService never leaves INIT for a ws:// URL.
    'dom.push.testing.allowInsecureServerURL': true,
    // Headless Firefox cannot answer the permission prompt; subscribe() would reject.
    'dom.push.testing.ignorePermission': true,
    'dom.push.enabled': true,
    'dom.push.connection.enabled': true,
    'dom.serviceWorkers.enabled': true,
    'dom.serviceWorkers.testing.enabled': true,
    // Reconnect 0.5 s after a drop instead of 5 s.
    'dom.push.retryBaseInterval': 500,
    'dom.push.requestTimeout': 10000,
    // Firefox's side of the protocol on stdout. The launcher reads `handleHelloReply()`
    // from it to know the push client is up (see firefox.ts), so these are not optional.
    'dom.push.loglevel': 'Debug',
    'devtools.console.stdout.chrome': true,
    'devtools.console.stdout.content': true,
    'browser.dom.window.dump.enabled': true,
  };
}

/** Everything that would reach a Mozilla (or any non-loopback) server on its own. */
function quietPrefs(loopbackOrigin: string): Record<string, PrefValue> {
  return {
    'network.trr.mode': 5,
    'network.connectivity-service.enabled': false,
    'network.captive-portal-service.enabled': false,
    'captivedetect.canonicalURL': '',
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'network.http.speculative-parallel-limit': 0,
    'network.predictor.enabled': false,
    'network.sntp.pools': '127.0.0.1',
    'app.update.disabledForTesting': true,
    'app.update.auto': false,
    'app.update.checkInstallTime': false,
    'app.normandy.enabled': false,
    'app.normandy.api_url': '',
    'app.shield.optoutstudies.enabled': false,
    // Honoured on ESR only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the environment.
    'services.settings.server': `${loopbackOrigin}/dummy/remote-settings/v1`,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'extensions.systemAddon.update.enabled': false,
    'extensions.blocklist.enabled': false,
    'extensions.autoDisableScopes': 0,
    'extensions.enabledScopes': 5,
    'extensions.installDistroAddons': false,
    'extensions.pocket.enabled': false,
    'extensions.webservice.discoverURL': `${loopbackOrigin}/dummy/discover`,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.policy.dataSubmissionPolicyBypassNotification': true,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'toolkit.telemetry.unified': false,
    'toolkit.telemetry.archive.enabled': false,
    'toolkit.telemetry.server': '',
    'toolkit.telemetry.reportingpolicy.firstRun': false,
    'telemetry.fog.test.localhost_port': -1,
    'datareporting.usage.uploadEnabled': false,
    'browser.ping-centre.telemetry': false,
    'browser.newtabpage.enabled': false,
    'browser.newtabpage.activity-stream.feeds.telemetry': false,
    'browser.newtabpage.activity-stream.telemetry': false,
    'browser.newtabpage.activity-stream.feeds.system.topstories': false,
    'browser.newtabpage.activity-stream.feeds.topsites': false,
    'browser.topsites.contile.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'browser.safebrowsing.blockedURIs.enabled': false,
    'browser.safebrowsing.downloads.enabled': false,
    'browser.safebrowsing.downloads.remote.enabled': false,
    'browser.safebrowsing.update.enabled': false,
    'browser.safebrowsing.provider.mozilla.updateURL': '',
    'browser.safebrowsing.provider.google4.updateURL': '',
    'browser.safebrowsing.provider.google.updateURL': '',
    'browser.search.update': false,
    'browser.region.update.enabled': false,
    'browser.region.network.url': '',
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.startup.homepage': 'about:blank',
    'browser.startup.page': 0,
    'startup.homepage_welcome_url': 'about:blank',
    'startup.homepage_welcome_url.additional': '',
    'browser.aboutwelcome.enabled': false,
    'browser.uitour.enabled': false,
    'browser.discovery.enabled': false,
    'browser.translations.enable': false,
    'browser.ml.enable': false,
    // A relaunch after SIGTERM must open the URL it is given, not the last session.
    'browser.sessionstore.resume_from_crash': false,
    'browser.tabs.warnOnClose': false,
    'browser.warnOnQuit': false,
    'media.gmp-manager.updateEnabled': false,
    'media.gmp-gmpopenh264.enabled': false,
    'media.gmp-widevinecdm.enabled': false,
    'geo.provider.network.url': '',
    'identity.fxaccounts.enabled': false,
    'security.OCSP.enabled': 0,
    'security.remote_settings.crlite_filters.enabled': false,
    'security.remote_settings.intermediates.enabled': false,
    'messaging-system.rsexperimentloader.enabled': false,
    'nimbus.rsexperimentloader.enabled': false,
    'privacy.query_stripping.enabled': false,
    'toolkit.startup.max_resumed_crashes': -1,
  };
}

/** The text of `user.js` for a test profile. */
export function userJs(o: UserPrefsOptions): string {
  const prefs = {
    ...pushPrefs(o.pushServerUrl),
    ...quietPrefs(o.loopbackOrigin),
    ...(o.extraPrefs ?? {}),
  };
  return Object.entries(prefs)
    .map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`)
    .join('\n')
    .concat('\n');
}
