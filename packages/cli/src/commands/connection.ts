import { systemClock } from '@herald/core';
import { createConnectionNode } from '@herald/connection-node';
import { createLogger, createRegistry, loadConfig } from '@herald/runtime';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { displayHost, printLine } from '../console-output';
import { environmentHelp } from '../environment-help';
import { openNodeDependencies } from '../node-dependencies';
import { OwnedResources } from '../owned-resources';
import { closeOnSignal, schemes, startNodeOps } from '../serve-node';

const HELP = `Usage: herald connection

Runs a connection node: the WebSocket server user agents (Firefox) keep a connection to,
at ws://HERALD_HOST:HERALD_WS_PORT/ (wss:// with HERALD_TLS_CERT_FILE). Refuses to start
(exit 1) unless DynamoDB and NATS answer within HERALD_DEPENDENCY_TIMEOUT_MS. Prints a
line containing "ready" once it accepts connections.

On SIGTERM or SIGINT it drains: /__heartbeat__ answers 503, the listen socket closes,
open sockets are closed with 1001 (Firefox reconnects, to another node) in batches
spread over HERALD_DRAIN_WINDOW_MS, then NATS is drained and DynamoDB released; the
process exits 0, or 1 if that took longer than HERALD_SHUTDOWN_TIMEOUT_MS.

${environmentHelp('connection')}`;

export const connectionCommand: Command = {
  name: 'connection',
  summary: 'a connection node: the WebSocket server for user agents',
  help: HELP,
  async run(args) {
    if (parseCommandArgs('connection', args, {}).help) {
      printLine(HELP);
      return 0;
    }
    const config = loadConfig('connection');
    const log = createLogger({ level: config.logLevel, name: 'herald-connection' });
    const registry = createRegistry();
    const resources = new OwnedResources(log);
    try {
      const { stores, bus } = await openNodeDependencies(
        config,
        'connection',
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
        'connection node',
        await createConnectionNode({
          nodeId: config.nodeId,
          port: config.wsPort,
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
          // However the close starts, the load balancer must stop routing here first.
          onDraining: () => ops.setReady(false),
          settings: {
            helloTimeoutMs: config.helloTimeoutMs,
            messageLimitPerDrain: config.messageLimitPerDrain,
            maxConnections: config.maxConnections,
            broadcastPollMs: config.broadcastPollMs,
          },
        }),
        // Spread reconnects over the window so clients do not stampede the other nodes.
        (n) => n.close({ drainMs: config.drainWindowMs }),
      );
      ops.setReady(true);
      closeOnSignal(config, ops, resources, log);
      printLine(`WebSocket: ${schemes(config).ws}://${displayHost(config.host)}:${node.port}/`);
      printLine(`Herald connection node ${config.nodeId} is ready`);
      return undefined;
    } catch (error) {
      await resources.closeAll();
      throw error;
    }
  },
};
