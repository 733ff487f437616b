import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputLines } from './output-lines';
import { userJs, type PrefValue } from './user-prefs';

/** Debian's package: the tests never download a browser. */
export const FIREFOX_BINARY = '/usr/bin/firefox-esr';

const STOP_GRACE_MS = 5_000;

/**
 * Firefox's push client logs this (with `dom.push.loglevel` Debug and chrome console on
 * stdout) once it has processed the server's reply to `hello`. See {@link RunningFirefox.waitForPushClient}.
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
   * SIGTERM to the parent, SIGKILL after a grace period, then SIGKILL to whatever is left
   * of its process group (content processes can outlive the parent by a moment).
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
