import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@herald/testkit';
import { OutputLines } from './output-lines';
import { userJs, type PrefValue } from './user-prefs';

/** Debian's package: the tests never download a browser. */
export const FIREFOX_BINARY = '/usr/bin/firefox-esr';

const STOP_GRACE_MS = 5_000;
const PREFS_SAVE_TIMEOUT_MS = 5_000;

/** Logged when the server hands this profile a uaid it did not have. */
const NEW_UAID_LINE = /PushServiceWebSocket: "New _UAID" "([0-9a-f]+)"/;

/**
 * Firefox's push client logs this (with `dom.push.loglevel` Debug and chrome console on
 * stdout) once it has processed the server's reply to `hello`: the signal the gate page
 * waits for (startup race G1 in firefox-client.md).
 *
 * Why the browser's own log rather than Herald's or a BiDi session: Herald logs nothing
 * per hello (one line per hello would flood a production log), so the server side has
 * no signal short of proxying the WebSocket, which would put something other than
 * Firefox in front of Herald. The client's line is also the stronger fact (the reply
 * arrived and was handled, not merely sent), and it reads the same against `herald dev`
 * and the split deployment. puppeteer-core over WebDriver BiDi would still need this
 * signal before navigating, adds a dependency, and its remote agent turns
 * `dom.push.connection.enabled` off unless told otherwise; a page that reports over
 * HTTP needs none of that.
 */
const HELLO_REPLY_LINE = /PushServiceWebSocket: "handleHelloReply\(\)"/;

export interface LaunchFirefoxOptions {
  /**
   * An existing profile directory, kept after `stop()` so a relaunch finds the same
   * service worker and push subscription. Absent: a fresh temporary profile, removed by `stop()`.
   */
  readonly profileDir?: string;
  /** Herald's WebSocket, `ws://127.0.0.1:<port>/`. */
  readonly serverUrl: string;
  /** The test's own HTTP origin on loopback; Remote Settings is pointed there (it 404s). */
  readonly loopbackOrigin: string;
  /** The page the browser opens. */
  readonly startUrl: string;
  readonly extraPrefs?: Readonly<Record<string, PrefValue>>;
  /** Default {@link FIREFOX_BINARY}. */
  readonly binary?: string;
}

/** How the browser's parent process ended. */
export interface FirefoxExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunningFirefox {
  /** The parent process (the Debian binary is the browser itself, not a wrapper script). */
  readonly pid: number;
  readonly profileDir: string;
  /** `Date.now()` just before the spawn: the zero of every timing reported. */
  readonly launchedAtMs: number;
  /** Resolves when the parent process exits, for whatever reason. */
  readonly exited: Promise<FirefoxExit>;
  /** True once the push client has had its `hello` answered, in this run. */
  readonly pushClientReady: boolean;
  /**
   * Resolves with the ms since launch at which the push client had its `hello`
   * answered; rejects with the reason and Firefox's output if the browser exits first
   * or `timeoutMs` passes.
   */
  waitForPushClient(timeoutMs?: number): Promise<number>;
  /** The last lines Firefox printed (stdout and stderr), for a failing test's message. */
  output(): string;
  /**
   * Waits (up to 5 s) until a uaid the server gave in this run is saved in `prefs.js`,
   * then SIGTERM to the parent, SIGKILL after a grace period, then SIGKILL to whatever
   * is left of its process group (content processes can outlive the parent by a moment).
   * Removes the temporary HOME, and the profile if this launch created it. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts headless Firefox ESR on a profile whose `user.js` points the push client at
 * Herald and keeps everything else on loopback. Rejects when the binary is missing or
 * cannot be spawned; a browser that starts and then dies is reported by
 * `waitForPushClient`, with its exit status and output. Never skips: a test that needs
 * Firefox fails with the reason.
 */
export async function launchFirefox(o: LaunchFirefoxOptions): Promise<RunningFirefox> {
  const binary = o.binary ?? FIREFOX_BINARY;
  try {
    await access(binary, constants.X_OK);
  } catch (error) {
    throw new Error(
      `Firefox is not installed at ${binary} (apt-get install -y firefox-esr); the browser tests cannot run without it`,
      { cause: error },
    );
  }
  const ownsProfile = o.profileDir === undefined;
  const profileDir = o.profileDir ?? (await mkdtemp(join(tmpdir(), 'herald-ff-profile-')));
  // Firefox writes ~/.cache/mozilla and ~/.config/mozilla: keep them out of the real HOME.
  const homeDir = await mkdtemp(join(tmpdir(), 'herald-ff-home-'));
  await writeFile(
    join(profileDir, 'user.js'),
    userJs({
      pushServerUrl: o.serverUrl,
      loopbackOrigin: o.loopbackOrigin,
      extraPrefs: o.extraPrefs,
    }),
  );

  const lines = new OutputLines(2_000);
  const launchedAtMs = Date.now();
  const child = spawn(binary, ['--headless', '--no-remote', '--profile', profileDir, o.startUrl], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: homeDir,
      MOZ_HEADLESS: '1',
      MOZ_CRASHREPORTER_DISABLE: '1',
      // Without it ESR ignores `services.settings.server` and calls Mozilla's servers.
      MOZ_REMOTE_SETTINGS_DEVTOOLS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stop() can reach the content processes by the group id.
    detached: true,
  });
  const exited = new Promise<FirefoxExit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new Error(`could not start ${binary}: ${error.message}`, { cause: error })),
    );
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}: no pid`);
  let newUaid: string | undefined;
  lines.onLine((line) => {
    newUaid = NEW_UAID_LINE.exec(line)?.[1] ?? newUaid;
  });
  lines.collect(child.stdout);
  lines.collect(child.stderr);

  let exitStatus: FirefoxExit | undefined;
  void exited.then((status) => (exitStatus = status));
  let stopping: Promise<void> | undefined;

  return {
    pid,
    profileDir,
    launchedAtMs,
    exited,
    get pushClientReady() {
      return lines.has(HELLO_REPLY_LINE);
    },
    async waitForPushClient(timeoutMs = 30_000) {
      const abandon = new AbortController();
      const helloReply = lines.waitFor(HELLO_REPLY_LINE, { timeoutMs, signal: abandon.signal });
      const exitedFirst = exited.then((status) => {
        throw new Error(
          `Firefox exited (${describeExit(status)}) before its push client said hello:\n${lines.text()}`,
        );
      });
      try {
        await Promise.race([helloReply, exitedFirst]);
      } catch (error) {
        if (exitStatus !== undefined) throw error;
        throw new Error(
          `Firefox's push client had no hello reply within ${timeoutMs} ms:\n${lines.text()}`,
          { cause: error },
        );
      } finally {
        exitedFirst.catch(() => undefined);
        helloReply.catch(() => undefined);
        abandon.abort();
      }
      return Date.now() - launchedAtMs;
    },
    output: () => lines.text(),
    stop() {
      stopping ??= (async () => {
        if (exitStatus === undefined) {
          await waitForSavedUaid(profileDir, newUaid);
          signal(pid, 'SIGTERM');
          const killer = setTimeout(() => signal(pid, 'SIGKILL'), STOP_GRACE_MS);
          await exited;
          clearTimeout(killer);
        }
        signal(-pid, 'SIGKILL');
        await rm(homeDir, { recursive: true, force: true });
        if (ownsProfile) await rm(profileDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/**
 * Firefox keeps the uaid in the pref `dom.push.userAgentID` and saves prefs lazily
 * (about half a second after a change); SIGTERM does not flush them. Stopped inside that
 * window, the profile keeps its subscriptions but loses the uaid, so the relaunch says
 * `hello` without one and Firefox drops every subscription when a fresh uaid comes back
 * (measured: 8 of 25 stop-right-after-subscribe runs). Waiting for the file makes a
 * restart keep its subscriptions, as a real browser's does. Gives up quietly after
 * {@link PREFS_SAVE_TIMEOUT_MS}: a relaunch test then fails on its own assertion.
 */
async function waitForSavedUaid(profileDir: string, uaid: string | undefined): Promise<void> {
  if (uaid === undefined) return;
  const saved = `user_pref("dom.push.userAgentID", "${uaid}");`;
  try {
    await eventually(
      async () => (await readFile(join(profileDir, 'prefs.js'), 'utf8')).includes(saved),
      { timeoutMs: PREFS_SAVE_TIMEOUT_MS, intervalMs: 50, what: 'the uaid saved in prefs.js' },
    );
  } catch {
    // Stop anyway; see above.
  }
}

/** Sends a signal to a process (or, negative, a process group); gone already is fine. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function describeExit(status: FirefoxExit): string {
  return status.signal !== null ? `signal ${status.signal}` : `code ${String(status.code)}`;
}
