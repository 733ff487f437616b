import type { Logger, NodeBus, NodeCommand, NodeId, RouterStore } from '@herald/core';
import type { BroadcastVersions } from './broadcasts/broadcast-versions';
import type { ConnectionMetrics } from './connection-metrics';
import type { InFlightWork } from './in-flight-work';
import type { SessionRegistry } from './registry';

export interface NodeInboxDeps {
  readonly nodeId: NodeId;
  readonly registry: SessionRegistry;
  readonly routerStore: RouterStore;
  readonly bus: NodeBus;
  readonly log: Logger;
  /** The forward below is tracked so that `close()` waits for its router read. */
  readonly inFlight: InFlightWork;
  readonly metrics: ConnectionMetrics;
  readonly broadcasts: BroadcastVersions;
}

/**
 * Handles the commands other nodes (and endpoints) address to this node, and those
 * announced to every node (`broadcasts-changed`). Never throws:
 * a command is an optimisation over storage, so a failure is logged and dropped.
 */
export function handleNodeCommand(command: NodeCommand, deps: NodeInboxDeps): void {
  deps.metrics.busCommandReceived(command.type);
  switch (command.type) {
    case 'deliver': {
      const session = deps.registry.get(command.notification.uaid);
      if (session !== undefined) session.deliver(command.notification);
      else if (command.hops === 0) deps.inFlight.track(forwardToOwner(command, deps));
      // Otherwise it is stored (or TTL 0, "now or never") and waits for the next hello.
      return;
    }
    case 'check-storage':
      deps.registry.get(command.uaid)?.checkStorage();
      return;
    case 'disconnect':
      deps.registry.get(command.uaid)?.supersede(command.newOwner);
      return;
    case 'broadcasts-changed':
      // Normally sent with publishToAll; accepted on the node's own subject as well.
      deps.broadcasts.apply(command.broadcasts);
      return;
  }
}

/**
 * The endpoint read the router record just before the user agent moved here or away.
 * One extra read finds the current owner; `hops: 1` keeps a stale record from bouncing
 * the command around.
 */
async function forwardToOwner(
  command: Extract<NodeCommand, { type: 'deliver' }>,
  deps: NodeInboxDeps,
): Promise<void> {
  const { uaid } = command.notification;
  try {
    const record = await deps.routerStore.get(uaid);
    if (record === undefined || record.nodeId === deps.nodeId) return;
    await deps.bus.publish(record.nodeId, { ...command, hops: 1 });
  } catch (error) {
    deps.log.warn({ err: error }, 'forwarding a push to its current node failed');
  }
}
