import { broadcastFrame, helloReply, parseClientFrame } from '@herald/core';
import type {
  Broadcasts,
  ClientFrame,
  NodeCommand,
  NodeId,
  Notification,
  Owner,
  Uaid,
} from '@herald/core';
import { asFrameBroadcasts } from '../broadcasts/broadcast-versions';
import type { BroadcastSubscriber } from '../broadcasts/broadcast-versions';
import { CLOSE_FRAMES } from './close-causes';
import type { CloseCause } from './close-causes';
import { identify } from './hello';
import { IdentifiedSession } from './identified-session';
import type { SessionContext } from './session-context';
import { wasAccepted } from './session-transport';
import type { SessionTransport } from './session-transport';

/** Where a session stands; only `identified` sessions are in the registry. */
export type SessionPhase = 'awaiting-hello' | 'identifying' | 'identified' | 'closed';

/**
 * Work a session does one item at a time. Frames, pushes from the bus and storage drain
 * steps share one queue so that, as in autopush, a `register` never overtakes the
 * `hello` before it and an ack's delete finishes before the next storage fetch.
 */
type SessionTask =
  | { readonly kind: 'frame'; readonly text: string }
  | { readonly kind: 'deliver'; readonly notification: Notification }
  | { readonly kind: 'check-storage' }
  | { readonly kind: 'drain-step' };

const CHECK_STORAGE: SessionTask = { kind: 'check-storage' };
/** Bits of `Session.flags`: one small integer instead of three boolean fields. */
const IDENTIFYING = 1;
const CLOSED = 2;
const RUNNING = 4;
const DRAIN_STEP: SessionTask = { kind: 'drain-step' };

/**
 * One user agent's connection: the protocol state machine, with no socket code. It is
 * unidentified until `hello`; everything an identified client may do lives on
 * {@link IdentifiedSession}, which only a successful `hello` creates.
 *
 * Memory matters (hundreds of thousands of idle sockets per node): no timers, no
 * per-session closures, the task queue and delivery ledger are allocated only while
 * used, and each field is a pointer-sized slot (the flags share one).
 */
export class Session implements BroadcastSubscriber {
  private identified: IdentifiedSession | undefined = undefined;
  /** IDENTIFYING | CLOSED | RUNNING. */
  private flags = 0;
  private backlog: SessionTask[] | undefined = undefined;

  constructor(
    private readonly transport: SessionTransport,
    /** The node's shared context; the identified half reads it here. */
    readonly ctx: SessionContext,
  ) {}

  get phase(): SessionPhase {
    if (this.closed) return 'closed';
    if (this.identified !== undefined) return 'identified';
    return (this.flags & IDENTIFYING) !== 0 ? 'identifying' : 'awaiting-hello';
  }

  private get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }

  private get running(): boolean {
    return (this.flags & RUNNING) !== 0;
  }

  get uaid(): Uaid | undefined {
    return this.identified?.uaid;
  }

  /** A text frame from the client. */
  onText(text: string): void {
    this.enqueue({ kind: 'frame', text });
  }

  /** A binary frame from the client: the protocol has none (push-protocol.md §2.1). */
  onBinary(): void {
    this.closeWith('binary-frame');
  }

  /** A live push for this session's uaid, from the bus. */
  deliver(notification: Notification): void {
    this.enqueue({ kind: 'deliver', notification });
  }

  /** Something may have been stored that the live path missed: drain again. */
  checkStorage(): void {
    this.enqueue(CHECK_STORAGE);
  }

  /**
   * A newer connection for this uaid was accepted elsewhere. Closes this one if it is
   * older, and asks the new owner to re-drain if messages sent here were never acked.
   */
  supersede(newOwner: Owner): void {
    const identified = this.identified;
    if (this.closed || identified === undefined) return;
    if (identified.connectedAtMs >= newOwner.connectedAtMs) return;
    const owedAcks = identified.hasUnackedStored();
    this.closeWith('superseded');
    if (owedAcks) {
      this.publish(newOwner.nodeId, { type: 'check-storage', uaid: identified.uaid });
    }
  }

  /**
   * Subscribed broadcasts changed: sent at once as a `broadcast` frame (autopush waits for
   * its next ping tick; Herald has no per-socket ping timer to wait for).
   */
  onBroadcastsChanged(changed: Broadcasts): void {
    this.send(broadcastFrame(changed));
  }

  /** Closes the socket for `cause` (see CLOSE_FRAMES). Idempotent. */
  closeWith(cause: CloseCause): void {
    if (this.closed) return;
    this.release();
    const frame = CLOSE_FRAMES[cause];
    this.transport.close(frame.code, frame.reason);
  }

  /** The transport reports the socket is gone, whoever closed it. Idempotent. */
  onTransportClosed(): void {
    if (!this.closed) this.release();
  }

  /** Sends a text frame; false once the socket is gone or could not take it. */
  send(text: string): boolean {
    if (this.closed) return false;
    const result = this.transport.send(text);
    if (result === 'dropped') this.ctx.metrics.backpressureDropped();
    return wasAccepted(result);
  }

  /** Queues the next storage drain step behind whatever is already queued. */
  scheduleDrainStep(): void {
    this.enqueue(DRAIN_STEP);
  }

  /** Publishes a bus command; failures are logged, never fatal (storage is the truth). */
  publish(nodeId: NodeId, command: NodeCommand): void {
    this.ctx.inFlight.track(
      this.ctx.bus.publish(nodeId, command).catch((error: unknown) => {
        this.ctx.log.warn({ err: error, command: command.type, nodeId }, 'bus publish failed');
      }),
    );
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private release(): void {
    this.flags |= CLOSED;
    this.backlog = undefined;
    const identified = this.identified;
    if (identified === undefined) return;
    identified.releaseBroadcasts();
    this.ctx.registry.release(identified.uaid, this);
  }

  private enqueue(task: SessionTask): void {
    if (this.closed) return;
    if (this.running) {
      (this.backlog ??= []).push(task);
      return;
    }
    this.runFrom(task);
  }

  /**
   * Performs `first` and then the backlog, synchronously for as long as tasks finish
   * synchronously (a live push, a ping): no promise or microtask per push. The first
   * task that returns a promise continues in {@link continueAfter}, which the node
   * tracks.
   */
  private runFrom(first: SessionTask): void {
    this.flags |= RUNNING;
    let task: SessionTask | undefined = first;
    try {
      while (task !== undefined && !this.closed) {
        const pending = this.perform(task);
        if (pending !== undefined) {
          this.ctx.inFlight.track(this.continueAfter(pending));
          return;
        }
        task = this.backlog?.shift();
      }
    } catch (error) {
      this.fail(error);
    }
    this.finishRun();
  }

  private async continueAfter(pending: Promise<void>): Promise<void> {
    try {
      await pending;
    } catch (error) {
      this.fail(error);
    }
    this.finishRun();
    const next = this.backlog?.shift();
    if (next !== undefined) this.runFrom(next);
  }

  private finishRun(): void {
    this.flags &= ~RUNNING;
    if (this.backlog?.length === 0) this.backlog = undefined;
  }

  private fail(error: unknown): void {
    this.ctx.log.error({ err: error, uaid: this.uaid }, 'session task failed');
    this.closeWith('internal-error');
  }

  private perform(task: SessionTask): Promise<void> | void {
    const identified = this.identified;
    switch (task.kind) {
      case 'frame':
        return this.onFrame(task.text);
      case 'deliver':
        return identified?.deliver(task.notification);
      case 'check-storage':
        return identified?.requestDrain();
      case 'drain-step':
        return identified?.drainStep();
    }
  }

  private onFrame(text: string): Promise<void> | void {
    const parsed = parseClientFrame(text);
    if (!parsed.ok) return this.closeWith('malformed-frame');
    const frame = parsed.frame;
    if (this.identified === undefined) {
      // Unidentified: `hello` is the only thing a client can say (push-protocol.md §2.1).
      return frame.type === 'hello' ? this.hello(frame) : this.closeWith('protocol-violation');
    }
    if (frame.type === 'hello') return this.closeWith('protocol-violation');
    return this.identified.onFrame(frame);
  }

  private async hello(frame: Extract<ClientFrame, { type: 'hello' }>): Promise<void> {
    this.flags |= IDENTIFYING;
    const outcome = await identify(frame.uaid, this.ctx, () => !this.closed);
    this.flags &= ~IDENTIFYING;
    if (this.closed) return;
    if (outcome.kind === 'superseded' || outcome.kind === 'storage-unavailable') {
      this.ctx.metrics.helloCompleted('rejected');
      return this.closeWith(outcome.kind);
    }
    this.ctx.metrics.helloCompleted(outcome.kind === 'new-user' ? 'new' : 'returning');

    const { uaid, connectedAtMs } = outcome;
    const identified = new IdentifiedSession(this, uaid, connectedAtMs);
    this.identified = identified;
    const broadcasts = identified.subscribeBroadcasts(frame.broadcasts);
    if (!this.send(helloReply(uaid, asFrameBroadcasts(broadcasts)))) return;

    // Newest wins on this node: an older socket for the same uaid is a ghost.
    this.ctx.registry.claim(uaid, this)?.closeWith('superseded');
    if (outcome.kind === 'returning') {
      const { previous } = outcome;
      if (previous.nodeId !== this.ctx.nodeId) {
        this.publish(previous.nodeId, {
          type: 'disconnect',
          uaid,
          newOwner: { nodeId: this.ctx.nodeId, connectedAtMs },
        });
      }
      identified.requestDrain();
    }
  }
}
