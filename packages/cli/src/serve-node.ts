import type { Logger } from '@herald/core';
import {
  onShutdownSignal,
  startOpsServer,
  type HealthCheck,
  type NodeConfig,
  type OpsServer,
  type Registry,
} from '@herald/runtime';
import type { OwnedResources } from './owned-resources';
import { versionInfo } from './version';

/**
 * Starts the ops server, not ready yet: `/__heartbeat__` answers 503 until the nodes
 * listen (`setReady(true)`), so an orchestrator never routes to a half-started process.
 */
export async function startNodeOps(
  config: NodeConfig,
  registry: Registry,
  checks: Record<string, HealthCheck>,
  resources: OwnedResources,
): Promise<OpsServer> {
  const ops = await startOpsServer({
    port: config.opsPort,
    host: config.host,
    checks,
    registry,
    version: versionInfo(config.build),
    checkTimeoutMs: Math.min(config.dependencyTimeoutMs, 5000),
  });
  ops.setReady(false);
  return resources.add('ops server', ops, (o) => o.close());
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: the heartbeat turns `draining` first so the load
 * balancer stops sending traffic, then everything closes newest first, within
 * `HERALD_SHUTDOWN_TIMEOUT_MS`.
 */
export function closeOnSignal(
  config: NodeConfig,
  ops: OpsServer,
  resources: OwnedResources,
  log: Logger,
): void {
  onShutdownSignal(
    async () => {
      ops.setReady(false);
      await resources.closeAll();
    },
    { deadlineMs: config.shutdownTimeoutMs, log },
  );
}
