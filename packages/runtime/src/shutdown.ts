import type { Logger } from '@herald/core';

export interface ShutdownOptions {
  /** After the first signal, exit with status 1 if the handler has not finished by then. */
  readonly deadlineMs: number;
  readonly log: Logger;
  /** How the process ends; injectable for tests. Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `handler` once on the first SIGTERM or SIGINT, then exits 0 (1 if it rejected).
 * The deadline guards against a close that never finishes (a stuck socket, a dependency
 * that stopped answering): shutdown must end even then. A second signal exits at once,
 * for the operator pressing Ctrl-C twice. Returns a function that removes the listeners.
 */
export function onShutdownSignal(
  handler: () => Promise<void>,
  options: ShutdownOptions,
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const listener = (signal: NodeJS.Signals): void => {
    if (started) {
      options.log.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    started = true;
    options.log.info({ signal, deadlineMs: options.deadlineMs }, 'shutting down');
    const deadline = setTimeout(() => {
      options.log.error({ deadlineMs: options.deadlineMs }, 'shutdown deadline passed: exiting');
      exit(1);
    }, options.deadlineMs);
    // The deadline alone must not keep a finished process alive.
    deadline.unref();
    handler().then(
      () => {
        clearTimeout(deadline);
        options.log.info({}, 'stopped');
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        options.log.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };

  for (const signal of SIGNALS) process.on(signal, listener);
  return () => {
    for (const signal of SIGNALS) process.off(signal, listener);
  };
}
