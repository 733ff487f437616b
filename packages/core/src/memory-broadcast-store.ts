import type { Broadcasts } from './model';
import type { BroadcastStore } from './ports';

/** Broadcast versions in memory, for unit tests and single-process set-ups. */
export class MemoryBroadcastStore implements BroadcastStore {
  private readonly versions = new Map<string, string>();

  list(): Promise<Broadcasts> {
    return Promise.resolve(Object.fromEntries(this.versions));
  }

  set(broadcastId: string, version: string): Promise<void> {
    this.versions.set(broadcastId, version);
    return Promise.resolve();
  }
}
