import {
  PING_REPLY,
  broadcastFrame,
  decodeApplicationServerKey,
  endpointUrl,
  isExpired,
  makeEndpointToken,
  notificationFrame,
  parseChannelId,
  registerReply,
  unregisterReply,
} from '@herald/core';
import type {
  AckUpdate,
  Broadcasts,
  ChannelId,
  ClientFrame,
  MessageId,
  MessageStore,
  Notification,
  Uaid,
} from '@herald/core';
import { asFrameBroadcasts, isEmptyReply } from '../broadcasts/broadcast-versions';
import type { WireBroadcasts } from '../broadcasts/broadcast-versions';
import type { DeliverySource } from '../connection-metrics';
import { retryStorage } from '../storage/storage-retry';
import { DeliveryLedger } from './delivery-ledger';
import type { Session } from './session';
import type { SessionContext } from './session-context';

/** Every client frame an identified session accepts (a second `hello` is refused earlier). */
export type IdentifiedFrame = Exclude<ClientFrame, { type: 'hello' }>;

/** A running storage drain. */
interface DrainState {
  /** Something may have been stored since the current fetch: fetch again before stopping. */
  recheck: boolean;
  /** Messages this drain sent from storage (autopush's msg_limit counts them). */
  sentFromStorage: number;
}

/**
 * The state of a client after a successful `hello`: it owns a uaid, may register and
 * unregister channels, and receives notifications, live and from storage.
 *
 * Storage drain (push-protocol.md §2.7, §6.6): fetch up to `drainBatchSize` (topic
 * messages first), send them, wait until every one is acked, fetch again, until a fetch
 * has nothing new. Live pushes that arrive meanwhile are already stored, so they only
 * set `recheck` and come out of storage in order; TTL-0 pushes are never stored, so they
 * go out at once.
 *
 * An idle identified socket holds one of these for as long as it is open, so it keeps
 * only what it needs when idle; the drain's state exists only while a drain runs.
 */
export class IdentifiedSession {
  private lastPingMs: number | undefined = undefined;
  private ledger: DeliveryLedger | undefined = undefined;
  /** Set while a storage drain runs (from `requestDrain` until a fetch finds nothing new). */
  private drain: DrainState | undefined = undefined;
  /** Broadcast ids subscribed to; allocated at the first subscription. */
  private broadcastIds: Set<string> | undefined = undefined;

  constructor(
    private readonly session: Session,
    readonly uaid: Uaid,
    readonly connectedAtMs: number,
  ) {}

  /** The node's context, held once by the session rather than again here. */
  private get ctx(): SessionContext {
    return this.session.ctx;
  }

  onFrame(frame: IdentifiedFrame): Promise<void> | void {
    switch (frame.type) {
      case 'register':
        return this.register(frame.channelId, frame.key);
      case 'unregister':
        return this.unregister(frame.channelId);
      case 'ack':
        return this.ack(frame.updates);
      case 'nack':
        // Firefox's handler failed (codes 301–303); the message stays stored until acked or expired.
        this.ctx.log.debug({ uaid: this.uaid, code: frame.code }, 'client nacked a notification');
        return;
      case 'ping':
        return this.ping();
      case 'broadcast_subscribe': {
        const reply = this.subscribeBroadcasts(frame.broadcasts);
        // autopush answers only when something changed or is unknown (push-protocol.md §7).
        if (!isEmptyReply(reply)) this.session.send(broadcastFrame(asFrameBroadcasts(reply)));
        return;
      }
    }
  }

  /**
   * Diffs the client's broadcast versions against the node's and subscribes this session
   * to the known ids; the result is the `broadcasts` object to send back.
   */
  subscribeBroadcasts(requested: Broadcasts): WireBroadcasts {
    const { reply, subscribedIds } = this.ctx.broadcasts.subscribe(this.session, requested);
    if (subscribedIds.length > 0) {
      const ids = (this.broadcastIds ??= new Set());
      for (const id of subscribedIds) ids.add(id);
    }
    return reply;
  }

  /** Drops this session's broadcast subscriptions (it is closing). */
  releaseBroadcasts(): void {
    if (this.broadcastIds === undefined) return;
    this.ctx.broadcasts.unsubscribe(this.session, this.broadcastIds);
    this.broadcastIds = undefined;
  }

  /** True while a message taken from storage was sent here and not yet acked. */
  hasUnackedStored(): boolean {
    return (this.ledger?.unackedCount ?? 0) > 0;
  }

  /** A live push for this uaid. */
  deliver(notification: Notification): void {
    const stored = notification.ttlSeconds > 0;
    if (stored && isExpired(notification, this.ctx.clock.nowMs())) {
      this.ctx.metrics.expired();
      return;
    }
    if (this.ledger?.wasSent(notification.messageId) === true) return;
    if (stored && this.drain !== undefined) {
      // Sending now could overtake older stored messages; the drain will fetch it.
      this.drain.recheck = true;
      return;
    }
    this.sendNotification(notification, 'live');
  }

  /** Starts a storage drain, or makes the running one look again before it stops. */
  requestDrain(): void {
    if (this.drain !== undefined) {
      this.drain.recheck = true;
      return;
    }
    this.drain = { recheck: false, sentFromStorage: 0 };
    this.session.scheduleDrainStep();
  }

  /** One fetch-and-send round of the drain; the next runs when this batch is fully acked. */
  async drainStep(): Promise<void> {
    const { messageStore, clock, settings, log } = this.ctx;
    // Queued by requestDrain or finishDrain, so a drain is running.
    const drain = (this.drain ??= { recheck: false, sentFromStorage: 0 });
    drain.recheck = false;
    // Rows of acked live pushes still held back would come back in this fetch and, seen
    // as already sent, could end the drain before the rows behind them.
    this.ctx.ackedDeletes.flush();
    let fetched: Notification[];
    try {
      fetched = await retryStorage(
        () =>
          messageStore.fetch(this.uaid, { limit: settings.drainBatchSize, nowMs: clock.nowMs() }),
        settings,
        () => !this.session.isClosed,
      );
    } catch (error) {
      log.warn({ err: error, uaid: this.uaid }, 'fetching stored messages failed');
      return this.session.closeWith('storage-unavailable');
    }
    if (this.session.isClosed) return;

    const nowMs = clock.nowMs();
    const ledger = this.ledger;
    const toSend: Notification[] = [];
    const awaited = new Set<MessageId>();
    for (const notification of fetched) {
      const { messageId } = notification;
      if (isExpired(notification, nowMs)) {
        this.ctx.metrics.expired();
        continue;
      }
      if (ledger?.isUnacked(messageId) === true) {
        // Already sent live and its ack is pending: wait for it rather than resend.
        awaited.add(messageId);
      } else if (ledger?.wasSent(messageId) !== true) {
        toSend.push(notification);
        awaited.add(messageId);
      }
      // Sent and acked but still stored means its delete failed: the next connection gets it.
    }
    if (awaited.size === 0) return this.finishDrain();

    if (drain.sentFromStorage + toSend.length > settings.messageLimitPerDrain) {
      return this.resetUaid();
    }
    drain.sentFromStorage += toSend.length;
    (this.ledger ??= new DeliveryLedger()).openBatch(awaited);
    for (const notification of toSend) {
      if (!this.sendNotification(notification, 'stored')) return;
    }
  }

  private finishDrain(): void {
    if (this.drain?.recheck === true) {
      this.drain.recheck = false;
      this.session.scheduleDrainStep();
      return;
    }
    this.drain = undefined;
  }

  private sendNotification(notification: Notification, source: DeliverySource): boolean {
    (this.ledger ??= new DeliveryLedger()).recordSent(notification, this.ctx.clock.nowMs());
    this.ctx.metrics.delivered(source);
    return this.session.send(notificationFrame(notification));
  }

  /**
   * autopush's msg_limit reset: a client this far behind is cheaper to start over. The
   * user record and every stored message go; the client reconnects with a fresh uaid.
   */
  private async resetUaid(): Promise<void> {
    const { routerStore, messageStore, log } = this.ctx;
    log.info({ uaid: this.uaid }, 'message limit per drain exceeded; resetting uaid');
    try {
      await routerStore.remove(this.uaid);
      await messageStore.deleteAll(this.uaid);
    } catch (error) {
      log.warn({ err: error, uaid: this.uaid }, 'resetting a uaid failed');
      return this.session.closeWith('storage-unavailable');
    }
    this.session.closeWith('uaid-reset');
  }

  private async register(requestedChannelId: string, key: string | undefined): Promise<void> {
    // Firefox sends lowercase dashed UUIDs; anything else is a broken client (autopush closes).
    const channelId = parseChannelId(requestedChannelId);
    if (channelId === undefined) return this.session.closeWith('protocol-violation');
    let appServerKey: Buffer | undefined;
    if (key !== undefined) {
      appServerKey = decodeApplicationServerKey(key);
      if (appServerKey === undefined) {
        // autopush's exact answer; Firefox rejects the subscription on any status but 200.
        this.session.send(registerReply(channelId, 400, 'Failed to generate endpoint'));
        return;
      }
    }
    const { routerStore, keys, nodeId, publicOrigin, log } = this.ctx;
    try {
      await routerStore.addChannel(this.uaid, channelId, {
        nodeId,
        connectedAtMs: this.connectedAtMs,
      });
    } catch (error) {
      log.warn({ err: error, uaid: this.uaid }, 'registering a channel failed');
      this.session.send(registerReply(channelId, 500, ''));
      return;
    }
    const token = makeEndpointToken(keys, { uaid: this.uaid, channelId, appServerKey });
    this.ctx.metrics.registered();
    this.session.send(registerReply(channelId, 200, endpointUrl(publicOrigin, token)));
  }

  private async unregister(channelId: ChannelId): Promise<void> {
    try {
      // 200 whether or not it was registered: unregister is idempotent (autopush).
      await this.ctx.routerStore.removeChannel(this.uaid, channelId);
    } catch (error) {
      this.ctx.log.warn({ err: error, uaid: this.uaid }, 'unregistering a channel failed');
      this.session.send(unregisterReply(channelId, 500));
      return;
    }
    this.ctx.metrics.unregistered();
    this.session.send(unregisterReply(channelId, 200));
  }

  private async ack(updates: readonly AckUpdate[]): Promise<void> {
    const { metrics, clock } = this.ctx;
    for (const { version, code } of updates) {
      // Unknown versions (never sent here, TTL 0, acked twice) are ignored, as autopush does.
      const unacked = this.ledger?.takeUnacked(version as MessageId);
      metrics.acked(code, unacked === undefined ? undefined : clock.nowMs() - unacked.sentAtMs);
      if (unacked === undefined) continue;
      const { notification } = unacked;
      if (this.ledger?.inBatch(notification.messageId) !== true) {
        // A live push: nothing here waits for its delete, so it joins the node's next
        // batch of deletes instead of being a storage request of its own.
        this.ctx.inFlight.track(this.deleteAcked(notification, this.ctx.ackedDeletes));
        continue;
      }
      // The drain fetches its next batch only once this row is gone.
      await this.deleteAcked(notification, this.ctx.messageStore);
      if (this.ledger?.settleBatchMember(notification.messageId) === true) {
        this.session.scheduleDrainStep();
      }
    }
  }

  /** Deletes an acked message's row; a failure is logged, never thrown. */
  private async deleteAcked(
    notification: Notification,
    store: Pick<MessageStore, 'delete'>,
  ): Promise<void> {
    try {
      await store.delete(this.uaid, notification.storageKey, notification.messageId);
      this.ctx.metrics.storedDrained();
    } catch (error) {
      // It stays stored and comes back on the next connection; Firefox drops the repeat.
      this.ctx.log.warn({ err: error, uaid: this.uaid }, 'deleting an acked message failed');
    }
  }

  private ping(): void {
    const nowMs = this.ctx.clock.nowMs();
    const { clientPingMinIntervalMs } = this.ctx.settings;
    if (this.lastPingMs !== undefined && nowMs - this.lastPingMs < clientPingMinIntervalMs) {
      return this.session.closeWith('excessive-ping');
    }
    this.lastPingMs = nowMs;
    this.session.send(PING_REPLY);
  }
}
