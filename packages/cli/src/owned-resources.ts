import type { Logger } from '@herald/core';

/**
 * What a command opened, closed in reverse order: nodes finish their clients, then the
 * bus, the stores, the embedded database, and the ops server last. One failing close is
 * logged and does not stop the others.
 */
export class OwnedResources {
  private readonly entries: { name: string; close: () => Promise<void> | void }[] = [];

  constructor(private readonly log: Logger) {}

  /** Registers a resource right after it opened, so a later start-up failure closes it. */
  add<T>(name: string, resource: T, close: (resource: T) => Promise<void> | void): T {
    this.entries.push({ name, close: () => close(resource) });
    return resource;
  }

  /**
   * Registers a resource closed after everything else, whatever was added later: the
   * ops server, which answers `draining` on `/__heartbeat__` until the very end.
   */
  addLast<T>(name: string, resource: T, close: (resource: T) => Promise<void> | void): T {
    this.entries.unshift({ name, close: () => close(resource) });
    return resource;
  }

  /** Closes everything, newest first. Idempotent. */
  async closeAll(): Promise<void> {
    while (this.entries.length > 0) {
      const entry = this.entries.pop()!;
      try {
        await entry.close();
        this.log.debug({ resource: entry.name }, 'closed');
      } catch (error) {
        this.log.error({ resource: entry.name, err: error }, 'close failed');
      }
    }
  }
}
