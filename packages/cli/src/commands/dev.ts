import { join } from 'node:path';
import { InProcessBus, systemClock, type NodeBus } from '@herald/core';
import { connectNatsBus } from '@herald/bus-nats';
import { createConnectionNode } from '@herald/connection-node';
import { createEndpointNode } from '@herald/endpoint-node';
import { createLogger, createRegistry, loadConfig, DEV_CRYPTO_KEYS_FILE } from '@herald/runtime';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { displayHost, printLine } from '../console-output';
import { environmentHelp } from '../environment-help';
import { openDevStores } from '../embedded-database';
import { OwnedResources } from '../owned-resources';
import { closeOnSignal, schemes, startNodeOps } from '../serve-node';

const HELP = `Usage: herald dev

Runs Herald in one process for development: a connection node, an endpoint node, an
in-process bus and an embedded DynamoDB-compatible store (dynalite) persisting under
HERALD_DATA_DIR/dynamodb. The endpoint-token key is generated on first run and kept in
HERALD_DATA_DIR/${DEV_CRYPTO_KEYS_FILE} (mode 0600), so subscriptions survive restarts.
Prints the WebSocket URL, the endpoint URL and a line containing "ready".
Stops gracefully on SIGTERM or Ctrl-C.

With HERALD_ADMIN_TOKEN set, the broadcast admin API (/v1/broadcasts, \`herald
broadcast\`) is served on the endpoint port. On SIGTERM it closes its sockets at once
(there is no other node to reconnect to).

${environmentHelp('dev')}`;

export const devCommand: Command = {
  name: 'dev',
  summary: 'connection + endpoint node, embedded store and bus, in one process',
  help: HELP,
  async run(args) {
    if (parseCommandArgs('dev', args, {}).help) {
      printLine(HELP);
      return 0;
    }
    const config = loadConfig('dev');
    const log = createLogger({ level: config.logLevel, name: 'herald-dev' });
    const registry = createRegistry();
    const resources = new OwnedResources(log);
    try {
      if (config.cryptoKeysSource === 'generated') {
        log.info(
          { path: join(config.dataDir, DEV_CRYPTO_KEYS_FILE) },
          'generated an endpoint-token key',
        );
      }
      const stores = await openDevStores(config, log, resources, registry);
      const bus: NodeBus = resources.add(
        'bus',
        config.natsServers !== undefined
          ? await connectNatsBus({
              servers: config.natsServers,
              name: `herald-dev-${config.nodeId}`,
              log,
              registry,
            })
          : new InProcessBus(),
        (b) => b.close(),
      );

      const ops = await startNodeOps(
        config,
        registry,
        { dynamodb: () => stores.ping(), bus: () => bus.ping() },
        resources,
      );
      const shared = {
        host: config.host,
        publicOrigin: config.publicOrigin,
        keys: config.cryptoKeys,
        routerStore: stores.routerStore,
        messageStore: stores.messageStore,
        broadcastStore: stores.broadcastStore,
        bus,
        clock: systemClock,
        registry,
        ...(config.tls !== undefined ? { tls: config.tls } : {}),
      };
      // The endpoint starts first: once the connection node logs that it is ready, both are.
      const endpoint = resources.add(
        'endpoint node',
        await createEndpointNode({
          ...shared,
          port: config.httpPort,
          log,
          ...(config.adminToken !== undefined ? { adminToken: config.adminToken } : {}),
          settings: { maxBodyBytes: config.maxBodyBytes, maxTtlSeconds: config.maxTtlSeconds },
        }),
        (n) => n.close(),
      );
      const connection = resources.add(
        'connection node',
        await createConnectionNode({
          ...shared,
          nodeId: config.nodeId,
          port: config.wsPort,
          log,
          onDraining: () => ops.setReady(false),
          settings: {
            helloTimeoutMs: config.helloTimeoutMs,
            messageLimitPerDrain: config.messageLimitPerDrain,
            maxConnections: config.maxConnections,
            broadcastPollMs: config.broadcastPollMs,
          },
        }),
        (n) => n.close(),
      );
      ops.setReady(true);
      closeOnSignal(config, ops, resources, log);

      const host = displayHost(config.host);
      printLine(`WebSocket: ${schemes(config).ws}://${host}:${connection.port}/`);
      printLine(`Endpoint:  ${config.publicOrigin} (listening on port ${endpoint.port})`);
      printLine(`Ops:       http://${host}:${ops.port}/__heartbeat__`);
      printLine(`Data:      ${config.dataDir}`);
      printLine(`Herald dev is ready (node ${config.nodeId})`);
      return undefined;
    } catch (error) {
      await resources.closeAll();
      throw error;
    }
  },
};
