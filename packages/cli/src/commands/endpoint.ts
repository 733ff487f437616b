import { systemClock } from '@herald/core';
import { createEndpointNode } from '@herald/endpoint-node';
import { createLogger, createRegistry, loadConfig } from '@herald/runtime';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { printLine } from '../console-output';
import { DYNAMODB_SETTINGS, environmentHelp } from '../environment-help';
import { openNodeDependencies } from '../node-dependencies';
import { OwnedResources } from '../owned-resources';
import { closeOnSignal, startNodeOps } from '../serve-node';

const HELP = `Usage: herald endpoint

Runs an endpoint node: the HTTP API application servers POST pushes to
(HERALD_PUBLIC_URL/wpush/v1/{token}, DELETE /m/{message-id}). Stateless; run as many as
you need behind a load balancer. Refuses to start (exit 1) unless DynamoDB and NATS
answer within HERALD_DEPENDENCY_TIMEOUT_MS. Prints a line containing "ready" once it
accepts requests. On SIGTERM it reports draining, finishes in-flight requests and exits
within HERALD_SHUTDOWN_TIMEOUT_MS.

${environmentHelp([
  ['HERALD_CRYPTO_KEYS', 'required'],
  ['HERALD_NATS_URL', 'required'],
  ['HERALD_PUBLIC_URL', 'http://localhost:<HERALD_HTTP_PORT>'],
  ['HERALD_HTTP_PORT', '8082'],
  ['HERALD_OPS_PORT', '8083'],
  ['HERALD_HOST', '0.0.0.0'],
  ['HERALD_NODE_ID', 'host name + random suffix'],
  ...DYNAMODB_SETTINGS,
  ['HERALD_MAX_BODY_BYTES', '5630'],
  ['HERALD_MAX_TTL_SECONDS', '2592000'],
  ['HERALD_DEPENDENCY_TIMEOUT_MS', '10000'],
  ['HERALD_SHUTDOWN_TIMEOUT_MS', '10000'],
  ['HERALD_LOG_LEVEL', 'info'],
  ['HERALD_COMMIT', 'unknown'],
  ['HERALD_BUILD', 'unknown'],
])}`;

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
      const { stores, bus } = await openNodeDependencies(config, 'endpoint', log, resources);
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
          bus,
          clock: systemClock,
          log,
          settings: { maxBodyBytes: config.maxBodyBytes, maxTtlSeconds: config.maxTtlSeconds },
        }),
        (n) => n.close(),
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
