/**
 * Every child process the suite starts, so that all of them end whatever happens: a
 * normal finish, a thrown error, Ctrl-C, or SIGTERM from CI. Children that speak IPC
 * also exit by themselves when this process dies (see `exitWithParent`).
 */
import { fork, spawn, type ChildProcess, type ForkOptions } from 'node:child_process';

const STOP_GRACE_MS = 5_000;

/** A running child and what it printed last, to explain a failure. */
export interface ChildHandle {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  /** The tail of its stdout and stderr. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects if the child exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
}

export class ProcessGroup {
  private readonly children = new Set<ChildHandle>();
  /** Every child ever started, running or not: for writing their output after a run. */
  readonly started: ChildHandle[] = [];

  constructor() {
    // Last resort on the way out: SIGKILL anything still running. Synchronous by necessity.
    process.once('exit', () => this.killNow());
  }

  /** Forks a Node.js script with an IPC channel. */
  fork(name: string, script: string, args: string[], options: ForkOptions = {}): ChildHandle {
    const child = fork(script, args, { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return this.track(name, child);
  }

  /** Spawns any executable; stdin ignored, stdout/stderr captured. */
  spawn(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): ChildHandle {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return this.track(name, child);
  }

  /** SIGTERM, then SIGKILL after a grace period; resolves once the child has exited. */
  async stop(handle: ChildHandle, graceMs = STOP_GRACE_MS): Promise<void> {
    const { child } = handle;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await handle.exited;
      clearTimeout(timer);
    }
    this.children.delete(handle);
  }

  /** Stops every child, newest first in parallel batches. */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.children].reverse().map((handle) => this.stop(handle)));
  }

  killNow(): void {
    for (const { child } of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  private track(name: string, child: ChildProcess): ChildHandle {
    let tail = '';
    const lines: string[] = [];
    const listeners = new Set<() => void>();
    let done = false;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        done = true;
        for (const listener of [...listeners]) listener();
        resolve();
      });
      child.once('error', (error) => {
        tail += `\nspawn error: ${error.message}`;
        done = true;
        resolve();
      });
    });
    let pending = '';
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-6_000);
      pending += text;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      if (lines.length < 200) lines.push(...parts);
      for (const listener of [...listeners]) listener();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const handle: ChildHandle = {
      name,
      child,
      exited,
      output: () => tail,
      waitForLine(pattern, timeoutMs) {
        return new Promise((resolve, reject) => {
          const finish = (outcome: () => void): void => {
            clearTimeout(timer);
            listeners.delete(check);
            outcome();
          };
          const check = (): void => {
            const line = lines.find((l) => pattern.test(l));
            if (line !== undefined) finish(() => resolve(line));
            else if (done) finish(() => reject(new Error(`${name} exited:\n${tail}`)));
          };
          const timer = setTimeout(
            () =>
              finish(() =>
                reject(new Error(`${name}: no ${pattern} in ${timeoutMs} ms:\n${tail}`)),
              ),
            timeoutMs,
          );
          listeners.add(check);
          check();
        });
      },
    };
    this.children.add(handle);
    this.started.push(handle);
    return handle;
  }
}
