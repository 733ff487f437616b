import { systemClock } from '@herald/core';
import { createEndpointNode } from '@herald/endpoint-node';
import { createLogger, createRegistry, loadConfig } from '@herald/runtime';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { printLine } from '../console-output';
import { environmentHelp } from '../environment-help';
import { openNodeDependencies } from '../node-dependencies';
import { OwnedResources } from '../owned-resources';
import { closeOnSignal, startNodeOps } from '../serve-node';

const HELP = `Usage: herald endpoint

Runs an endpoint node: the HTTP API application servers POST pushes to
(HERALD_PUBLIC_URL/wpush/v1/{token}, DELETE /m/{message-id}), and, with
HERALD_ADMIN_TOKEN, the broadcast admin API (/v1/broadcasts). Stateless; run as many as
you need behind a load balancer. Refuses to start (exit 1) unless DynamoDB and NATS
answer within HERALD_DEPENDENCY_TIMEOUT_MS. Prints a line containing "ready" once it
accepts requests.

On SIGTERM or SIGINT: /__heartbeat__ answers 503, the node stops accepting connections
and finishes in-flight requests (cutting those still running after
HERALD_DRAIN_WINDOW_MS), then NATS and DynamoDB are closed; the process exits 0, or 1
past HERALD_SHUTDOWN_TIMEOUT_MS.

${environmentHelp('endpoint')}`;

export const endpointCommand: Command = {
  name: 'endpoint',
  summary: 'an endpoint node: the HTTP push API for application servers',
  help: HELP,
  async run(args) {
    if (parseCommandArgs('endpoint', args, {}).help) {
      printLine(HELP);
      return 0;
    }
    const config = loadConfig('endpoint');
    const log = createLogger({ level: config.logLevel, name: 'herald-endpoint' });
    const registry = createRegistry();
    const resources = new OwnedResources(log);
    try {
      const { stores, bus } = await openNodeDependencies(
        config,
        'endpoint',
        log,
        resources,
        registry,
      );
      const ops = await startNodeOps(
        config,
        registry,
        { dynamodb: () => stores.ping(), nats: () => bus.ping() },
        resources,
      );
      const node = resources.add(
        'endpoint node',
        await createEndpointNode({
          port: config.httpPort,
          host: config.host,
          publicOrigin: config.publicOrigin,
          keys: config.cryptoKeys,
          routerStore: stores.routerStore,
          messageStore: stores.messageStore,
          broadcastStore: stores.broadcastStore,
          bus,
          clock: systemClock,
          log,
          registry,
          ...(config.tls !== undefined ? { tls: config.tls } : {}),
          ...(config.adminToken !== undefined ? { adminToken: config.adminToken } : {}),
          settings: { maxBodyBytes: config.maxBodyBytes, maxTtlSeconds: config.maxTtlSeconds },
        }),
        (n) => n.close({ timeoutMs: config.drainWindowMs }),
      );
      ops.setReady(true);
      closeOnSignal(config, ops, resources, log);
      printLine(`Endpoint:  ${config.publicOrigin} (listening on port ${node.port})`);
      printLine(`Herald endpoint node is ready`);
      return undefined;
    } catch (error) {
      await resources.closeAll();
      throw error;
    }
  },
};
