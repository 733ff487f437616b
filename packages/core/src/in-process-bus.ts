import { BusUnavailableError } from './errors';
import type { NodeId } from './model';
import type { BusSubscription, Logger, NodeBus, NodeCommandHandler } from './ports';
import type { NodeCommand } from './bus-command';

interface Listener {
  readonly handler: NodeCommandHandler;
  active: boolean;
}

/**
 * A {@link NodeBus} inside one process, for `herald dev` and unit tests. Commands are
 * handed over by reference and delivered on a later turn of the event loop (never inside
 * `publish`), in publish order, as a network bus would; so code that works here does not
 * rely on re-entrancy that NATS would not give it.
 */
export class InProcessBus implements NodeBus {
  private readonly byNode = new Map<NodeId, Set<Listener>>();
  private readonly everyNode = new Set<Listener>();
  private closed = false;

  /** `log` receives errors thrown by handlers (which must not throw). */
  constructor(private readonly options: { log?: Logger } = {}) {}

  listen(nodeId: NodeId, handler: NodeCommandHandler): Promise<BusSubscription> {
    if (this.closed) return Promise.reject(new BusUnavailableError('bus closed'));
    let listeners = this.byNode.get(nodeId);
    if (listeners === undefined) {
      listeners = new Set();
      this.byNode.set(nodeId, listeners);
    }
    return Promise.resolve(
      this.subscribe(
        listeners,
        handler,
        () => this.byNode.get(nodeId)?.size === 0 && this.byNode.delete(nodeId),
      ),
    );
  }

  listenToAll(handler: NodeCommandHandler): Promise<BusSubscription> {
    if (this.closed) return Promise.reject(new BusUnavailableError('bus closed'));
    return Promise.resolve(this.subscribe(this.everyNode, handler, () => undefined));
  }

  publish(nodeId: NodeId, command: NodeCommand): Promise<void> {
    if (this.closed) return Promise.reject(new BusUnavailableError('bus closed'));
    const listeners = this.byNode.get(nodeId);
    if (listeners !== undefined) this.deliverLater(listeners, command);
    return Promise.resolve();
  }

  publishToAll(command: NodeCommand): Promise<void> {
    if (this.closed) return Promise.reject(new BusUnavailableError('bus closed'));
    this.deliverLater(this.everyNode, command);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return this.closed ? Promise.reject(new BusUnavailableError('bus closed')) : Promise.resolve();
  }

  /** The in-process bus has no outages, so the listener is never called. */
  onReconnect(_listener: () => void): void {}

  close(): Promise<void> {
    this.closed = true;
    for (const listeners of this.byNode.values()) for (const l of listeners) l.active = false;
    for (const l of this.everyNode) l.active = false;
    this.byNode.clear();
    this.everyNode.clear();
    return Promise.resolve();
  }

  private subscribe(
    listeners: Set<Listener>,
    handler: NodeCommandHandler,
    onEmpty: () => unknown,
  ): BusSubscription {
    const listener: Listener = { handler, active: true };
    listeners.add(listener);
    return {
      close: () => {
        listener.active = false;
        listeners.delete(listener);
        onEmpty();
        return Promise.resolve();
      },
    };
  }

  private deliverLater(listeners: ReadonlySet<Listener>, command: NodeCommand): void {
    // Snapshot now: a subscriber added after publish must not see this command.
    for (const listener of [...listeners]) {
      setImmediate(() => {
        if (!listener.active) return;
        try {
          listener.handler(command);
        } catch (error) {
          this.options.log?.error({ err: error, commandType: command.type }, 'bus handler threw');
        }
      });
    }
  }
}
