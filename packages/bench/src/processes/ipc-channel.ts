/**
 * Request/reply over a child's IPC channel: every request carries an id, the child
 * answers `{ id, reply }` or `{ id, error }`. Events (messages without an id) go to
 * `onEvent`. Used for every worker process of the suite.
 */
import type { ChildProcess } from 'node:child_process';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class IpcChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
    onEvent: (event: Record<string, unknown>) => void = () => undefined,
  ) {
    child.on('message', (raw) => {
      const message = raw as { id?: number; reply?: unknown; error?: string };
      if (message.id === undefined) {
        onEvent(raw as Record<string, unknown>);
        return;
      }
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.reply);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${name} exited (${signal ?? code}) before replying`));
      }
      this.pending.clear();
    });
  }

  /** Sends `{ id, type, ...body }` and resolves with the reply; rejects after `timeoutMs`. */
  request<T>(type: string, body: Record<string, unknown> = {}, timeoutMs = 120_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: no reply to ${type} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.child.send({ id, type, ...body }, (error) => {
        if (error) this.pending.get(id)?.reject(error);
      });
    });
  }
}

/**
 * The worker side: answers each request with what `handle` returns (or throws), and
 * exits when the parent goes away so no worker outlives a killed suite.
 */
export function serveIpc(handle: (type: string, body: Record<string, unknown>) => unknown): void {
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw) => {
    const { id, type, ...body } = raw as { id: number; type: string } & Record<string, unknown>;
    Promise.resolve()
      .then(() => handle(type, body))
      .then(
        (reply) => process.send?.({ id, reply }),
        (error: unknown) =>
          process.send?.({
            id,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
}

/** Sends an event (no id) to the parent. */
export function emitEvent(event: Record<string, unknown>): void {
  process.send?.(event);
}

/**
 * What a baseline process answers to `probe` (the same shape probe-preload gives for
 * Herald nodes): its CPU clock and memory, after two full GCs when `gc` is asked and the
 * process runs with `--expose-gc`.
 */
export function selfProbe(body: Record<string, unknown>): {
  cpu: NodeJS.CpuUsage;
  memory: NodeJS.MemoryUsage;
  gcRan: boolean;
} {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (body.gc === true && gc !== undefined) {
    gc();
    gc();
  }
  return { cpu: process.cpuUsage(), memory: process.memoryUsage(), gcRan: gc !== undefined };
}
