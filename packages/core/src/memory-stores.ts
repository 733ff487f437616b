import { isExpired } from './model';
import type { ChannelId, MessageId, Notification, RouterRecord, Uaid } from './model';
import {
  systemClock,
  type ClaimOutcome,
  type Clock,
  type MessageStore,
  type Owner,
  type RouterStore,
} from './ports';

/** Router records expire this long after `lastSeenMs` (the DynamoDB `expiry` TTL). */
export const ROUTER_RECORD_LIFETIME_MS = 60 * 24 * 60 * 60 * 1000;

/**
 * A {@link RouterStore} in a Map, with the DynamoDB adapter's semantics (conditional
 * claim, lazy creation, expiry 60 days after last seen). For unit tests and tooling;
 * `herald dev` uses the embedded DynamoDB-compatible store instead.
 */
export class MemoryRouterStore implements RouterStore {
  private readonly records = new Map<Uaid, RouterRecord>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  get(uaid: Uaid): Promise<RouterRecord | undefined> {
    return Promise.resolve(this.live(uaid));
  }

  claim(uaid: Uaid, owner: Owner): Promise<ClaimOutcome> {
    const current = this.live(uaid);
    if (current === undefined) return Promise.resolve({ kind: 'unknown' });
    if (current.connectedAtMs >= owner.connectedAtMs)
      return Promise.resolve({ kind: 'superseded' });
    const record: RouterRecord = {
      ...current,
      nodeId: owner.nodeId,
      connectedAtMs: owner.connectedAtMs,
      lastSeenMs: this.clock.nowMs(),
    };
    this.records.set(uaid, record);
    return Promise.resolve({
      kind: 'claimed',
      record: snapshot(record),
      previous: { nodeId: current.nodeId, connectedAtMs: current.connectedAtMs },
    });
  }

  addChannel(uaid: Uaid, channelId: ChannelId, owner: Owner): Promise<void> {
    const current = this.live(uaid);
    const channelIds = new Set(current?.channelIds);
    channelIds.add(channelId);
    this.records.set(uaid, {
      uaid,
      nodeId: current?.nodeId ?? owner.nodeId,
      connectedAtMs: current?.connectedAtMs ?? owner.connectedAtMs,
      channelIds,
      lastSeenMs: this.clock.nowMs(),
    });
    return Promise.resolve();
  }

  removeChannel(uaid: Uaid, channelId: ChannelId): Promise<boolean> {
    const current = this.live(uaid);
    if (current === undefined || !current.channelIds.has(channelId)) return Promise.resolve(false);
    const channelIds = new Set(current.channelIds);
    channelIds.delete(channelId);
    this.records.set(uaid, { ...current, channelIds, lastSeenMs: this.clock.nowMs() });
    return Promise.resolve(true);
  }

  remove(uaid: Uaid): Promise<void> {
    this.records.delete(uaid);
    return Promise.resolve();
  }

  /** The record unless absent or expired (DynamoDB deletes expired items lazily; reads filter). */
  private live(uaid: Uaid): RouterRecord | undefined {
    const record = this.records.get(uaid);
    if (record === undefined) return undefined;
    if (this.clock.nowMs() >= record.lastSeenMs + ROUTER_RECORD_LIFETIME_MS) {
      this.records.delete(uaid);
      return undefined;
    }
    return snapshot(record);
  }
}

/** Callers get their own copy of the channel set, as they would from a database read. */
function snapshot(record: RouterRecord): RouterRecord {
  return { ...record, channelIds: new Set(record.channelIds) };
}

/**
 * A {@link MessageStore} in a Map, with the DynamoDB adapter's semantics: rows keyed by
 * `storageKey` (a topic row is replaced), expired rows never returned, conditional delete.
 */
export class MemoryMessageStore implements MessageStore {
  private readonly rows = new Map<Uaid, Map<string, Notification>>();

  save(notification: Notification): Promise<void> {
    if (notification.ttlSeconds === 0) {
      return Promise.reject(new RangeError('a notification with TTL 0 is never stored'));
    }
    let userRows = this.rows.get(notification.uaid);
    if (userRows === undefined) {
      userRows = new Map();
      this.rows.set(notification.uaid, userRows);
    }
    userRows.set(notification.storageKey, notification);
    return Promise.resolve();
  }

  fetch(uaid: Uaid, options: { limit: number; nowMs: number }): Promise<Notification[]> {
    const userRows = this.rows.get(uaid);
    if (userRows === undefined || options.limit <= 0) return Promise.resolve([]);
    // Plain string order puts `01:` (topic) rows before `02:` rows, as DynamoDB's range key does.
    const keys = [...userRows.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const found: Notification[] = [];
    for (const key of keys) {
      const n = userRows.get(key)!;
      if (isExpired(n, options.nowMs)) continue;
      found.push(n);
      if (found.length === options.limit) break;
    }
    return Promise.resolve(found);
  }

  delete(uaid: Uaid, storageKey: string, messageId: MessageId): Promise<void> {
    const userRows = this.rows.get(uaid);
    if (userRows?.get(storageKey)?.messageId === messageId) {
      userRows.delete(storageKey);
      if (userRows.size === 0) this.rows.delete(uaid);
    }
    return Promise.resolve();
  }

  deleteAll(uaid: Uaid): Promise<void> {
    this.rows.delete(uaid);
    return Promise.resolve();
  }
}
