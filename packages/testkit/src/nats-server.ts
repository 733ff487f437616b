import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually';

/** The Debian package's binary; tests never download a server. */
const NATS_SERVER_BINARY = '/usr/sbin/nats-server';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;

/** A throwaway nats-server for one test suite. */
export interface NatsServerFixture {
  /** `nats://127.0.0.1:<port>`; stays the same across {@link restart}. */
  readonly url: string;
  readonly port: number;
  /** SIGTERMs the server and resolves once the process has exited. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the server, then starts a fresh one on the same port and resolves once it
   * accepts connections, so clients can be tested reconnecting to "the same" server.
   * The new server has no memory of the old one's subscriptions: clients must resubscribe.
   */
  restart(): Promise<void>;
}

/**
 * Starts `nats-server` on a free loopback port (`-p -1`; the chosen port is read from
 * the ports file it writes) and resolves once it accepts TCP connections. The caller
 * must `stop()` it in `afterAll`.
 *
 * Throws when the binary is missing, with the command that installs it.
 */
export async function startNatsServer(): Promise<NatsServerFixture> {
  if (!existsSync(NATS_SERVER_BINARY)) {
    throw new Error(`nats-server not found at ${NATS_SERVER_BINARY}: apt-get install nats-server`);
  }
  const portsDir = await mkdtemp(join(tmpdir(), 'herald-nats-'));
  let current: RunningServer | undefined = await launch(portsDir, -1);
  const port = await readPort(portsDir, current);
  await waitUntilAccepting(port, current);
  const url = `nats://${HOST}:${port}`;

  const stop = async (): Promise<void> => {
    const running = current;
    current = undefined;
    if (running) await running.terminate();
  };

  return {
    url,
    port,
    async stop() {
      await stop();
      await rm(portsDir, { recursive: true, force: true });
    },
    async restart() {
      await stop();
      // stop() removes the ports directory; the new process needs it back.
      await mkdir(portsDir, { recursive: true });
      const next = await launch(portsDir, port);
      current = next;
      await waitUntilAccepting(port, next);
    },
  };
}

/** One nats-server process and what it said before it died, for error messages. */
interface RunningServer {
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  /** Whether the process has exited (on its own or after terminate). */
  hasExited(): boolean;
  /** The tail of its log, for explaining a failed start. */
  logTail(): string;
  terminate(): Promise<void>;
}

async function launch(portsDir: string, port: number): Promise<RunningServer> {
  const child = spawn(
    NATS_SERVER_BINARY,
    ['-a', HOST, '-p', String(port), '--ports_file_dir', portsDir],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-4_000);
  });
  let exited = false;
  const exitedPromise = new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      exited = true;
      resolve(signal ?? String(code));
    });
  });
  // Spawn errors (EACCES, ENOENT) surface as an 'error' event: wait for the 'spawn' event
  // so they reject here rather than as an unhandled rejection later.
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return {
    child,
    exited: exitedPromise,
    hasExited: () => exited,
    logTail: () => log,
    async terminate() {
      if (exited) return;
      child.kill('SIGTERM');
      await exitedPromise;
    },
  };
}

/** The server writes `nats-server_<pid>.ports` once its client listener is bound. */
async function readPort(portsDir: string, server: RunningServer): Promise<number> {
  const file = join(portsDir, `nats-server_${server.child.pid}.ports`);
  const outcome = await eventually(
    async (): Promise<StartProbe<number>> => {
      if (server.hasExited()) return { kind: 'exited' };
      const ports = JSON.parse(await readFile(file, 'utf8')) as { nats?: string[] };
      const first = ports.nats?.[0];
      if (first === undefined) throw new Error(`no client URL in ${file}`);
      return { kind: 'ready', value: Number(new URL(first).port) };
    },
    { timeoutMs: START_TIMEOUT_MS, what: 'nats-server ports file' },
  );
  return readyOrThrow(outcome, server);
}

async function waitUntilAccepting(port: number, server: RunningServer): Promise<void> {
  const outcome = await eventually(
    async (): Promise<StartProbe<true>> => {
      if (server.hasExited()) return { kind: 'exited' };
      await new Promise<void>((resolve, reject) => {
        const socket = tcpConnect({ host: HOST, port }, () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
      return { kind: 'ready', value: true };
    },
    { timeoutMs: START_TIMEOUT_MS, what: `nats-server accepting on port ${port}` },
  );
  readyOrThrow(outcome, server);
}

/** A start-up probe stops polling as soon as the process dies, instead of timing out. */
type StartProbe<T> = { kind: 'ready'; value: T } | { kind: 'exited' };

function readyOrThrow<T>(outcome: StartProbe<T>, server: RunningServer): T {
  if (outcome.kind === 'exited') {
    throw new Error(`nats-server exited during start-up:\n${server.logTail()}`);
  }
  return outcome.value;
}
