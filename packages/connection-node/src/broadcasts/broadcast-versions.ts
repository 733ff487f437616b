import type { Broadcasts } from '@herald/core';

/** Receives the changed versions of the broadcasts it subscribed to. Must not throw. */
export interface BroadcastSubscriber {
  onBroadcastsChanged(changed: Broadcasts): void;
}

/**
 * The `broadcasts` object of a `hello` reply or `broadcast` frame: changed versions by
 * id, plus (only when there are any) `errors: { id: "Broadcast not found" }`
 * (push-protocol.md §7).
 */
export type WireBroadcasts = Readonly<Record<string, string | Broadcasts>>;

/** autopush's text for an id the server does not know. */
export const BROADCAST_NOT_FOUND = 'Broadcast not found';

/**
 * The node's copy of every broadcast (megaphone) version, and who subscribed to which id.
 * One instance per node; the store poll and the bus keep it current, sessions subscribe.
 *
 * Only sessions that subscribed to something appear here (a set entry per subscribed id),
 * so a socket that never mentions a broadcast costs nothing.
 */
export class BroadcastVersions {
  private readonly versions = new Map<string, string>();
  private readonly subscribers = new Map<string, Set<BroadcastSubscriber>>();
  /** Bumped on every applied change; a poll that raced a bus change is discarded by it. */
  private changeCount = 0;

  /** Where the change counter stands; pass it back to {@link applyListed}. */
  get changes(): number {
    return this.changeCount;
  }

  /**
   * The answer to a client's `{ id: version }` map (at `hello` or `broadcast_subscribe`):
   * ids whose server version differs, with the server's version, and `errors` for ids the
   * server does not know. Subscribes `subscriber` to the known ids (autopush: unknown ids
   * are not subscribed) and returns them so the caller can unsubscribe on close.
   */
  subscribe(
    subscriber: BroadcastSubscriber,
    requested: Broadcasts,
  ): { readonly reply: WireBroadcasts; readonly subscribedIds: readonly string[] } {
    const changed: Record<string, string> = {};
    let errors: Record<string, string> | undefined;
    const subscribedIds: string[] = [];
    for (const [id, clientVersion] of Object.entries(requested)) {
      const version = this.versions.get(id);
      if (version === undefined) {
        (errors ??= {})[id] = BROADCAST_NOT_FOUND;
        continue;
      }
      if (version !== clientVersion) changed[id] = version;
      let set = this.subscribers.get(id);
      if (set === undefined) this.subscribers.set(id, (set = new Set()));
      set.add(subscriber);
      subscribedIds.push(id);
    }
    return { reply: errors === undefined ? changed : { ...changed, errors }, subscribedIds };
  }

  /** Forgets `subscriber` for these ids (a closed session). */
  unsubscribe(subscriber: BroadcastSubscriber, ids: Iterable<string>): void {
    for (const id of ids) {
      const set = this.subscribers.get(id);
      if (set === undefined) continue;
      set.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(id);
    }
  }

  /**
   * Applies versions announced on the bus (`broadcasts-changed`): each id whose version
   * differs is updated and its subscribers get a `broadcast` frame at once.
   */
  apply(announced: Broadcasts): void {
    const changed = new Map<string, string>();
    for (const [id, version] of Object.entries(announced)) {
      if (this.versions.get(id) === version) continue;
      this.versions.set(id, version);
      changed.set(id, version);
    }
    if (changed.size === 0) return;
    this.changeCount += 1;
    this.notify(changed);
  }

  /**
   * Applies a full listing read from the broadcast store, unless a change was applied
   * since `readStartedAt` (from {@link changes} before the read): that listing may predate
   * the change and would roll a version back. The next poll catches up. Returns whether
   * the listing was applied.
   */
  applyListed(listed: Broadcasts, readStartedAt: number): boolean {
    if (this.changeCount !== readStartedAt) return false;
    this.apply(listed);
    return true;
  }

  /** The current version of every broadcast (a copy). */
  snapshot(): Broadcasts {
    return Object.fromEntries(this.versions);
  }

  private notify(changed: ReadonlyMap<string, string>): void {
    const bySubscriber = new Map<BroadcastSubscriber, Record<string, string>>();
    for (const [id, version] of changed) {
      for (const subscriber of this.subscribers.get(id) ?? []) {
        let frame = bySubscriber.get(subscriber);
        if (frame === undefined) bySubscriber.set(subscriber, (frame = {}));
        frame[id] = version;
      }
    }
    for (const [subscriber, frame] of bySubscriber) subscriber.onBroadcastsChanged(frame);
  }
}

/** True when a reply carries nothing (autopush then sends no `broadcast` frame at all). */
export function isEmptyReply(reply: WireBroadcasts): boolean {
  for (const _ in reply) return false;
  return true;
}

/**
 * core's frame serialisers (`helloReply`, `broadcastFrame`) are typed with the flat
 * id → version map; a reply may also hold the nested `errors` map, which they write with
 * `JSON.stringify` just the same. This is the one place that widening is asserted.
 */
export function asFrameBroadcasts(reply: WireBroadcasts): Broadcasts {
  return reply as Broadcasts;
}
