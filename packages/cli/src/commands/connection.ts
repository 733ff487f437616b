import { systemClock } from '@herald/core';
import { createConnectionNode } from '@herald/connection-node';
import { createLogger, createRegistry, loadConfig } from '@herald/runtime';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { displayHost, printLine } from '../console-output';
import { DYNAMODB_SETTINGS, environmentHelp } from '../environment-help';
import { openNodeDependencies } from '../node-dependencies';
import { OwnedResources } from '../owned-resources';
import { closeOnSignal, startNodeOps } from '../serve-node';

const HELP = `Usage: herald connection

Runs a connection node: the WebSocket server user agents (Firefox) keep a connection to,
at ws://HERALD_HOST:HERALD_WS_PORT/. Refuses to start (exit 1) unless DynamoDB and NATS
answer within HERALD_DEPENDENCY_TIMEOUT_MS. Prints a line containing "ready" once it
accepts connections. On SIGTERM it reports draining, closes its sockets (clients
reconnect elsewhere) and exits within HERALD_SHUTDOWN_TIMEOUT_MS.

${environmentHelp([
  ['HERALD_CRYPTO_KEYS', 'required'],
  ['HERALD_NATS_URL', 'required'],
  ['HERALD_PUBLIC_URL', 'http://localhost:<HERALD_HTTP_PORT>'],
  ['HERALD_WS_PORT', '8080'],
  ['HERALD_OPS_PORT', '8081'],
  ['HERALD_HOST', '0.0.0.0'],
  ['HERALD_NODE_ID', 'host name + random suffix'],
  ...DYNAMODB_SETTINGS,
  ['HERALD_HELLO_TIMEOUT_MS', '10000'],
  ['HERALD_MSG_LIMIT', '150'],
  ['HERALD_DEPENDENCY_TIMEOUT_MS', '10000'],
  ['HERALD_SHUTDOWN_TIMEOUT_MS', '10000'],
  ['HERALD_LOG_LEVEL', 'info'],
  ['HERALD_COMMIT', 'unknown'],
  ['HERALD_BUILD', 'unknown'],
])}`;

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
      const { stores, bus } = await openNodeDependencies(config, 'connection', log, resources);
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
          bus,
          clock: systemClock,
          log,
          settings: {
            helloTimeoutMs: config.helloTimeoutMs,
            messageLimitPerDrain: config.messageLimitPerDrain,
          },
        }),
        // Spread reconnects over half the deadline so clients do not stampede the other nodes.
        (n) => n.close({ drainMs: Math.floor(config.shutdownTimeoutMs / 2) }),
      );
      ops.setReady(true);
      closeOnSignal(config, ops, resources, log);
      printLine(`WebSocket: ws://${displayHost(config.host)}:${node.port}/`);
      printLine(`Herald connection node ${config.nodeId} is ready`);
      return undefined;
    } catch (error) {
      await resources.closeAll();
      throw error;
    }
  },
};
