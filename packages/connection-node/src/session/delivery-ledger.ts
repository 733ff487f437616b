import type { MessageId, Notification } from '@herald/core';

/**
 * How many sent versions a connection remembers to avoid sending one twice. A drain sends
 * at most `messageLimitPerDrain` (150 by default) before a reset, so this comfortably
 * covers a drain plus the live pushes around it; beyond it the oldest are forgotten
 * (Firefox de-duplicates by version too).
 */
export const SENT_VERSIONS_LIMIT = 1024;

/** A tracked message and when it was sent (ms, the node's clock). */
export interface UnackedMessage {
  readonly notification: Notification;
  readonly sentAtMs: number;
}

/**
 * What one connection has sent and still owes an ack for. Allocated on the first send,
 * so an idle socket pays nothing for it.
 */
export class DeliveryLedger {
  /** Versions sent on this connection, oldest first (a Set iterates in insertion order). */
  private readonly sent = new Set<MessageId>();
  /**
   * Sent and not yet acked, by version; only stored messages (TTL > 0) are tracked. The
   * send time feeds the ack-latency metric; it lives here, not on the session, so an idle
   * socket carries no timestamp.
   */
  private readonly unacked = new Map<MessageId, UnackedMessage>();
  /** Versions of the current storage batch still waiting for their ack. */
  private batch: Set<MessageId> | undefined;

  wasSent(messageId: MessageId): boolean {
    return this.sent.has(messageId);
  }

  isUnacked(messageId: MessageId): boolean {
    return this.unacked.has(messageId);
  }

  /** Records a frame as sent; a stored message is tracked until it is acked. */
  recordSent(notification: Notification, sentAtMs: number): void {
    this.sent.add(notification.messageId);
    if (this.sent.size > SENT_VERSIONS_LIMIT) {
      const oldest = this.sent.values().next();
      if (oldest.done !== true) this.sent.delete(oldest.value);
    }
    if (notification.ttlSeconds > 0) {
      this.unacked.set(notification.messageId, { notification, sentAtMs });
    }
  }

  /** Removes and returns the unacked message with this version; undefined if unknown. */
  takeUnacked(messageId: MessageId): UnackedMessage | undefined {
    const unacked = this.unacked.get(messageId);
    if (unacked !== undefined) this.unacked.delete(messageId);
    return unacked;
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  /** Starts waiting for acks of these versions (a storage batch). */
  openBatch(messageIds: ReadonlySet<MessageId>): void {
    this.batch = messageIds.size > 0 ? new Set(messageIds) : undefined;
  }

  get batchOpen(): boolean {
    return this.batch !== undefined;
  }

  /** True when this version belongs to the open storage batch (a drain waits for it). */
  inBatch(messageId: MessageId): boolean {
    return this.batch?.has(messageId) === true;
  }

  /**
   * Marks one version of the open batch as acked; returns true when that ack completed
   * the batch (time to fetch the next one).
   */
  settleBatchMember(messageId: MessageId): boolean {
    if (this.batch === undefined || !this.batch.delete(messageId)) return false;
    if (this.batch.size > 0) return false;
    this.batch = undefined;
    return true;
  }
}
