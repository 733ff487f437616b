import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The built executable: the e2e suites test what users run (`pnpm test` builds first). */
export const HERALD_BIN = join(__dirname, '..', 'dist', 'bin.js');
if (!existsSync(HERALD_BIN)) {
  throw new Error(
    `${HERALD_BIN} is missing: run \`pnpm build\` (the root \`pnpm test\` does) before these tests`,
  );
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * A `herald` child process with its stdout and stderr collected line by line, so tests
 * wait on what it prints (`ready`) instead of sleeping. The environment is exactly the
 * one given plus PATH and HOME: nothing leaks in from the test runner's own.
 */
export class HeraldProcess {
  readonly exited: Promise<Exit>;
  private readonly lines: string[] = [];
  private readonly listeners = new Set<() => void>();
  private exit: Exit | undefined;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        this.notify();
        resolve(this.exit);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        this.lines.push(...parts);
        this.notify();
      });
    }
  }

  static start(args: readonly string[], env: Readonly<Record<string, string>> = {}): HeraldProcess {
    const child = spawn(process.execPath, [HERALD_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new HeraldProcess(child);
  }

  /** Runs a command that finishes, resolving with its exit and everything it printed. */
  static async run(
    args: readonly string[],
    env: Readonly<Record<string, string>> = {},
  ): Promise<{ code: number | null; stdout: string[]; stderr: string[] }> {
    const child = spawn(process.execPath, [HERALD_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (stream: NodeJS.ReadableStream | null): Promise<string[]> =>
      new Promise((resolve) => {
        const chunks: Buffer[] = [];
        stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream?.on('end', () =>
          resolve(
            Buffer.concat(chunks)
              .toString('utf8')
              .split('\n')
              .filter((l) => l !== ''),
          ),
        );
      });
    const [stdout, stderr, code] = await Promise.all([
      collect(child.stdout),
      collect(child.stderr),
      new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c))),
    ]);
    return { code, stdout, stderr };
  }

  /** Every line printed so far, stdout and stderr interleaved as they arrived. */
  output(): string {
    return this.lines.join('\n');
  }

  /** Resolves with the first line matching `pattern`; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs = 15_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const line = this.lines.find((l) => pattern.test(l));
        if (line !== undefined) done(() => resolve(line));
        else if (this.exit !== undefined) {
          done(() =>
            reject(
              new Error(
                `herald exited (${JSON.stringify(this.exit)}) before printing ${pattern}:\n${this.output()}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.output()}`),
            ),
          ),
        timeoutMs,
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** SIGTERM, then waits for the exit (graceful shutdown). */
  async stop(): Promise<Exit> {
    if (this.exit === undefined) this.child.kill('SIGTERM');
    return this.exited;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A port free right now on loopback (the OS picks it; the listener closes at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
