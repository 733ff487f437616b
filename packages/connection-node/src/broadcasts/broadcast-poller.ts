import type { BroadcastStore, Logger } from '@herald/core';
import type { InFlightWork } from '../in-flight-work';
import type { BroadcastVersions } from './broadcast-versions';

export interface BroadcastPollerDeps {
  readonly store: BroadcastStore;
  readonly versions: BroadcastVersions;
  /** 0 = read once at start only. */
  readonly pollMs: number;
  readonly log: Logger;
  /** Each read is tracked so that `close()` never returns while one is using storage. */
  readonly inFlight: InFlightWork;
}

export interface BroadcastPoller {
  /** Cancels the next read. An in-flight read is awaited by the node through `inFlight`. */
  stop(): void;
}

/**
 * Reads every broadcast version from the store now and then every `pollMs` (one timer per
 * node, re-armed after each read so reads never overlap). The bus carries changes at once;
 * the poll repairs a node that missed an announcement (bus down, node restarting).
 * A failed read is logged and retried at the next tick: broadcasts never take a node down.
 */
export async function startBroadcastPolling(deps: BroadcastPollerDeps): Promise<BroadcastPoller> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const read = async (): Promise<void> => {
    const startedAt = deps.versions.changes;
    try {
      deps.versions.applyListed(await deps.store.list(), startedAt);
    } catch (error) {
      deps.log.warn({ err: error }, 'reading broadcast versions failed');
    }
  };
  const schedule = (): void => {
    if (stopped || deps.pollMs <= 0) return;
    timer = setTimeout(() => {
      const reading = read().then(schedule);
      deps.inFlight.track(reading);
    }, deps.pollMs);
    // A node waiting only for its next poll has nothing left to do.
    timer.unref();
  };

  await read();
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
