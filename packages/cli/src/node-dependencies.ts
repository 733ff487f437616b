import type { Logger, NodeBus } from '@herald/core';
import { connectNatsBus, redactCredentials } from '@herald/bus-nats';
import type { NodeConfig, Registry } from '@herald/runtime';
import { createDynamoDbStores, type DynamoDbStores } from '@herald/storage-dynamodb';
import { DependencyError } from './cli-errors';
import type { OwnedResources } from './owned-resources';

export interface NodeDependencies {
  readonly stores: DynamoDbStores;
  readonly bus: NodeBus;
}

/**
 * Opens DynamoDB and NATS for a split node and proves both answer within
 * `HERALD_DEPENDENCY_TIMEOUT_MS`, in parallel. A node that started without them would
 * report healthy to nobody and 503 every request; refusing to start, with one message
 * naming every dependency that failed, is what lets the orchestrator (and the operator)
 * see the real problem. What opened is registered with `resources`.
 */
export async function openNodeDependencies(
  config: NodeConfig,
  command: string,
  log: Logger,
  resources: OwnedResources,
  registry: Registry,
): Promise<NodeDependencies> {
  const timeoutMs = config.dependencyTimeoutMs;
  const servers = config.natsServers ?? [];
  const stores = resources.add(
    'dynamodb',
    createDynamoDbStores({
      ...definedDynamoDb(config),
      requestTimeoutMs: timeoutMs,
      log,
      registry,
    }),
    (s) => s.close(),
  );

  const [database, bus] = await Promise.allSettled([
    withDeadline(stores.ping(), timeoutMs),
    connectNatsBus({
      servers,
      name: `herald-${config.role}-${config.nodeId}`,
      log,
      connectTimeoutMs: timeoutMs,
      registry,
    }),
  ]);
  if (bus.status === 'fulfilled') resources.add('nats', bus.value, (b) => b.close());

  const problems: string[] = [];
  if (database.status === 'rejected') {
    problems.push(
      `DynamoDB (${describeDynamoDb(config)}) did not answer: ${messageOf(database.reason)}`,
    );
  }
  if (bus.status === 'rejected') {
    problems.push(
      `NATS (${servers.map(redactCredentials).join(', ')}) did not answer: ${messageOf(bus.reason)}`,
    );
  }
  if (problems.length > 0 || bus.status === 'rejected') {
    throw new DependencyError(
      `Cannot start \`herald ${command}\`: its dependencies did not answer within ${timeoutMs} ms:`,
      problems,
    );
  }
  return { stores, bus: bus.value };
}

/** The connection options with unset fields left out, as the adapter expects. */
export function definedDynamoDb(config: Pick<NodeConfig, 'dynamoDb'>): {
  endpoint?: string;
  region?: string;
  maxSockets: number;
  routerTable: string;
  messageTable: string;
} {
  const { endpoint, region, maxSockets, routerTable, messageTable } = config.dynamoDb;
  return {
    maxSockets,
    routerTable,
    messageTable,
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
  };
}

function describeDynamoDb(config: NodeConfig): string {
  const { endpoint, region, routerTable, messageTable } = config.dynamoDb;
  const where = endpoint ?? `AWS${region !== undefined ? ` ${region}` : ''}`;
  return `${where}, tables ${routerTable} and ${messageTable}`;
}

async function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
