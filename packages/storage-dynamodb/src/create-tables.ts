import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@herald/core';
import { StorageUnavailableError } from '@herald/core';
import { createDynamoDbClient } from './dynamodb-client';
import type { DynamoDbStoresOptions } from './dynamodb-client';
import {
  isResourceInUse,
  isResourceNotFound,
  isUnknownOperation,
  storageUnavailable,
} from './storage-failure';
import { messageTableDefinition, routerTableDefinition, TTL_ATTRIBUTE } from './table-definitions';

/** AWS usually needs seconds to activate a table; local servers are instant. */
const ACTIVE_TIMEOUT_MS = 120_000;
const ACTIVE_POLL_MS = 250;

/**
 * Creates the router and message tables where missing, waits until both are ACTIVE and
 * enables DynamoDB TTL on `expiry` where the server supports it (dynalite does not).
 * Idempotent: running it against existing tables changes nothing and lists them as
 * `existing`. Rejects with `StorageUnavailableError`.
 */
export async function createTables(
  options: DynamoDbStoresOptions,
): Promise<{ created: string[]; existing: string[] }> {
  const client = createDynamoDbClient(options);
  try {
    const created: string[] = [];
    const existing: string[] = [];
    for (const definition of [
      routerTableDefinition(options.routerTable),
      messageTableDefinition(options.messageTable),
    ]) {
      const name = definition.TableName!;
      ((await ensureTable(client, definition)) === 'created' ? created : existing).push(name);
      await waitUntilActive(client, name);
      await enableTtl(client, name, options.log);
    }
    return { created, existing };
  } finally {
    client.destroy();
  }
}

async function ensureTable(
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
): Promise<'created' | 'existing'> {
  if ((await tableStatus(client, definition.TableName!)) !== undefined) return 'existing';
  try {
    await client.send(new CreateTableCommand(definition));
    return 'created';
  } catch (error) {
    // Another process created it between our describe and create.
    if (isResourceInUse(error)) return 'existing';
    throw storageUnavailable(`CreateTable ${definition.TableName}`, error);
  }
}

async function tableStatus(client: DynamoDBClient, name: string): Promise<string | undefined> {
  try {
    const output = await client.send(new DescribeTableCommand({ TableName: name }));
    return output.Table?.TableStatus ?? 'UNKNOWN';
  } catch (error) {
    if (isResourceNotFound(error)) return undefined;
    throw storageUnavailable(`DescribeTable ${name}`, error);
  }
}

async function waitUntilActive(client: DynamoDBClient, name: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const status = await tableStatus(client, name);
    if (status === 'ACTIVE') return;
    if (Date.now() >= deadline) {
      throw new StorageUnavailableError(
        `table ${name} is ${status ?? 'missing'} after ${ACTIVE_TIMEOUT_MS} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
}

async function enableTtl(client: DynamoDBClient, name: string, log: Logger): Promise<void> {
  try {
    const current = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    const status = current.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE },
      }),
    );
  } catch (error) {
    if (!isUnknownOperation(error)) throw storageUnavailable(`UpdateTimeToLive ${name}`, error);
    // Reads filter on expiry anyway; only the background deletion is missing.
    log.info({ table: name }, 'server does not support TTL; expired rows are hidden by reads only');
  }
}
