import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-ports';
import { OutputLines } from './output-lines';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
/** pino's numeric level for `error`; `fatal` is 60. */
const PINO_ERROR_LEVEL = 50;

/**
 * The built `herald` executable (`pnpm build`; the root `pnpm test` builds first): the
 * browser talks to what operators run, not to an in-process assembly.
 */
export function heraldBinary(): string {
  // src/ under jest, dist/ once built: both sit in packages/firefox-e2e.
  const bin = join(__dirname, '..', '..', 'cli', 'dist', 'bin.js');
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: run \`pnpm build\` first (the root \`pnpm test\` does)`);
  }
  return bin;
}

/**
 * One `herald <command>` child process. Its output is kept line by line: the test waits
 * for `ready` instead of sleeping, and afterwards asks whether any pino line had level
 * error or above ({@link errorLines}, never trimmed).
 */
export class HeraldProcess {
  private readonly lines = new OutputLines(4_000);
  private readonly errors: string[] = [];
  private exit: Promise<number | null> | undefined;
  private exited = false;
  private child: ReturnType<typeof spawn> | undefined;

  constructor(
    /** A label for messages, e.g. `dev` or `connection`. */
    readonly name: string,
    private readonly args: readonly string[],
    private readonly env: Readonly<Record<string, string>>,
  ) {
    this.lines.onLine((line) => {
      if (isErrorLogLine(line)) this.errors.push(line);
    });
  }

  /** Spawns it; resolves once it prints a line containing `ready`, rejects with its output if it exits first. */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [heraldBinary(), ...this.args], {
      // Exactly the given environment plus PATH and HOME: nothing leaks in from jest's.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exit = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exited = true;
        this.lines.add(`--- ${this.name} exited with ${String(code)}`);
        resolve(code);
      });
    });
    this.lines.collect(child.stdout);
    this.lines.collect(child.stderr);
    const abandon = new AbortController();
    const ready = this.lines.waitFor(/\bready\b/, {
      timeoutMs: READY_TIMEOUT_MS,
      signal: abandon.signal,
    });
    const exitedFirst = this.exit.then((code) => {
      throw new Error(`herald ${this.name} exited (${String(code)}) before it was ready`);
    });
    try {
      await Promise.race([ready, exitedFirst]);
    } catch (error) {
      throw new Error(`${(error as Error).message}:\n${this.lines.text()}`, { cause: error });
    } finally {
      abandon.abort();
      ready.catch(() => undefined);
      exitedFirst.catch(() => undefined);
    }
  }

  /** Pino lines at level error or fatal, from every run. */
  errorLines(): readonly string[] {
    return this.errors;
  }

  /** The kept output, stdout and stderr interleaved. */
  output(): string {
    return this.lines.text();
  }

  /** SIGTERM (a graceful shutdown), SIGKILL after a grace period; resolves on exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || this.exit === undefined || this.exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exit;
    clearTimeout(killer);
  }
}

function isErrorLogLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' && level >= PINO_ERROR_LEVEL;
  } catch {
    return false;
  }
}

/** `herald dev` on free loopback ports with a temporary data dir. */
export interface HeraldDev {
  readonly process: HeraldProcess;
  /** `ws://127.0.0.1:<port>/`: Herald accepts the WebSocket on `/` only. */
  readonly wsUrl: string;
  /** `HERALD_PUBLIC_URL`: the origin of every push endpoint, and the VAPID audience. */
  readonly publicOrigin: string;
  /** Stops the process and removes its data dir. */
  stop(): Promise<void>;
}

/** Starts `herald dev` (both nodes, in-process bus, embedded dynalite) and waits until it is ready. */
export async function startHeraldDev(o: { logLevel?: string } = {}): Promise<HeraldDev> {
  const [wsPort, httpPort, opsPort] = await freePorts(3);
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-ff-data-'));
  const publicOrigin = `http://127.0.0.1:${String(httpPort)}`;
  const herald = new HeraldProcess('dev', ['dev'], {
    HERALD_WS_PORT: String(wsPort),
    HERALD_HTTP_PORT: String(httpPort),
    HERALD_OPS_PORT: String(opsPort),
    HERALD_HOST: '127.0.0.1',
    HERALD_PUBLIC_URL: publicOrigin,
    HERALD_DATA_DIR: dataDir,
    HERALD_LOG_LEVEL: o.logLevel ?? 'info',
  });
  try {
    await herald.start();
  } catch (error) {
    await herald.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    process: herald,
    wsUrl: `ws://127.0.0.1:${String(wsPort)}/`,
    publicOrigin,
    async stop() {
      await herald.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
