import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** How a child process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * The built `herald` executable: these tests run what operators run. testkit sits beside
 * the cli package in the workspace (src/ under jest, dist/ once built: both one level down).
 */
export function heraldBinary(): string {
  const bin = join(__dirname, '..', '..', 'cli', 'dist', 'bin.js');
  if (!existsSync(bin)) {
    throw new Error(`${bin} is missing: run \`pnpm build\` first (the root \`pnpm test\` does)`);
  }
  return bin;
}

/** Lines kept per process: enough to explain a failure, bounded under a long run. */
const KEPT_LINES = 4_000;
const DEFAULT_READY_TIMEOUT_MS = 20_000;
const DEFAULT_STOP_GRACE_MS = 10_000;
/** pino's numeric level for `error`; `fatal` is 60. */
const PINO_ERROR_LEVEL = 50;

/**
 * One `herald <role>` child process that can be started, stopped and started again with
 * the same arguments and environment (same ports, same node id). Output is captured line
 * by line so tests wait on what the node prints (`ready`) rather than sleeping, and so a
 * failure can show what each node said.
 */
export class HeraldProcess {
  private child: ChildProcess | undefined;
  private exitPromise: Promise<ProcessExit> | undefined;
  private lastExit: ProcessExit | undefined;
  private readonly lines: string[] = [];
  /** Lines trimmed from the front of `lines`; line numbers given out stay absolute. */
  private droppedLines = 0;
  private readonly listeners = new Set<() => void>();
  /** pino lines at level error or above, from every run; never trimmed. */
  private readonly errors: string[] = [];
  private startCount = 0;

  constructor(
    /** A short label for logs and errors, e.g. `connection-a`. */
    readonly name: string,
    private readonly args: readonly string[],
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  get isRunning(): boolean {
    return this.child !== undefined && this.lastExit === undefined;
  }

  /** The exit of the latest run; undefined while it runs or before the first start. */
  get exit(): ProcessExit | undefined {
    return this.lastExit;
  }

  /**
   * Spawns the process and resolves once it prints a line containing `ready`; rejects,
   * with its output, if it exits first or stays silent past `timeoutMs`.
   */
  async start(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    this.startCount += 1;
    this.lastExit = undefined;
    const firstLine = this.lineCount;
    this.note(`--- start #${this.startCount}`);
    const child = spawn(process.execPath, [heraldBinary(), ...this.args], {
      // Exactly the given environment plus PATH and HOME: nothing leaks in from jest's.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitPromise = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.lastExit = { code, signal };
        this.note(`--- exited ${JSON.stringify(this.lastExit)}`);
        resolve(this.lastExit);
      });
    });
    for (const stream of [child.stdout, child.stderr]) this.collect(stream);
    await this.waitForLine(/\bready\b/, { timeoutMs, fromLine: firstLine });
  }

  /**
   * Sends `signal` (SIGTERM: a graceful shutdown) and resolves with the exit; SIGKILLs
   * the process if it is still alive after `graceMs`. Resolves at once when not running.
   */
  async stop(
    options: { signal?: NodeJS.Signals; graceMs?: number } = {},
  ): Promise<ProcessExit | undefined> {
    const child = this.child;
    const exited = this.exitPromise;
    if (child === undefined || exited === undefined || this.lastExit !== undefined) {
      return this.lastExit;
    }
    child.kill(options.signal ?? 'SIGTERM');
    const killer = setTimeout(() => {
      this.note(`--- still alive after ${options.graceMs ?? DEFAULT_STOP_GRACE_MS} ms: SIGKILL`);
      child.kill('SIGKILL');
    }, options.graceMs ?? DEFAULT_STOP_GRACE_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(killer);
    }
  }

  /** Stops (SIGTERM) and starts again with the same ports and node id. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Everything printed so far (every run), stdout and stderr interleaved. */
  output(): string {
    return this.lines.join('\n');
  }

  /**
   * Resolves with the first line matching `pattern` at or after `fromLine` (default:
   * the whole history); rejects on timeout or when the process exits first.
   */
  waitForLine(
    pattern: RegExp,
    options: { timeoutMs?: number; fromLine?: number } = {},
  ): Promise<string> {
    const { timeoutMs = DEFAULT_READY_TIMEOUT_MS, fromLine = 0 } = options;
    return new Promise((resolve, reject) => {
      const settle = (outcome: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        outcome();
      };
      const check = (): void => {
        const line = this.lines
          .slice(Math.max(0, fromLine - this.droppedLines))
          .find((l) => pattern.test(l));
        if (line !== undefined) return settle(() => resolve(line));
        if (this.lastExit !== undefined) {
          settle(() =>
            reject(new Error(`${this.name} exited before printing ${pattern}:\n${this.output()}`)),
          );
        }
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new Error(`${this.name} printed no ${pattern} in ${timeoutMs} ms:\n${this.output()}`),
            ),
          ),
        timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** pino lines at level error or fatal, from every run. */
  errorLines(): readonly string[] {
    return this.errors;
  }

  /** How many lines have been captured: a `fromLine` for waiting on what comes next. */
  get lineCount(): number {
    return this.droppedLines + this.lines.length;
  }

  private collect(stream: NodeJS.ReadableStream | null): void {
    let pending = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) this.note(line);
    });
  }

  private note(line: string): void {
    this.lines.push(line);
    if (isErrorLogLine(line)) this.errors.push(line);
    if (this.lines.length > KEPT_LINES * 2) {
      this.lines.splice(0, KEPT_LINES);
      this.droppedLines += KEPT_LINES;
    }
    for (const listener of [...this.listeners]) listener();
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
