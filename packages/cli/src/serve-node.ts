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
 * It is closed after everything else, so it keeps answering 503 through a shutdown.
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
  return resources.addLast('ops server', ops, (o) => o.close());
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness turns false first (`/__heartbeat__`
 * answers 503 `draining`) so the load balancer stops sending traffic, then everything
 * closes newest first (nodes drain their clients, then the bus drains, the stores close,
 * the ops server last), within `HERALD_SHUTDOWN_TIMEOUT_MS`; past it the process exits 1.
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

/** `ws`/`http`, or `wss`/`https` when the node serves TLS itself. */
export function schemes(config: NodeConfig): { ws: string; http: string } {
  return config.tls !== undefined ? { ws: 'wss', http: 'https' } : { ws: 'ws', http: 'http' };
}
