import { join } from 'node:path';
import type { Logger } from '@herald/core';
import type { NodeConfig, Registry } from '@herald/runtime';
import {
  createDynamoDbStores,
  createTables,
  startEmbeddedDynalite,
  type DynamoDbStores,
  type EmbeddedDynalite,
} from '@herald/storage-dynamodb';
import { definedDynamoDb } from './node-dependencies';
import type { OwnedResources } from './owned-resources';

/** How long in-flight requests get to finish before the client's sockets are destroyed. */
const IN_FLIGHT_GRACE_MS = 250;

/**
 * The stores of `herald dev`: on embedded dynalite persisting under
 * `HERALD_DATA_DIR/dynamodb`, or on `HERALD_DYNAMODB_ENDPOINT` when set. Tables are
 * created (idempotently) either way, so a fresh data dir needs no set-up step.
 */
export async function openDevStores(
  config: NodeConfig,
  log: Logger,
  resources: OwnedResources,
  registry: Registry,
): Promise<DynamoDbStores> {
  if (config.dynamoDb.endpoint !== undefined) {
    await createTables({ ...definedDynamoDb(config), log });
    return resources.add(
      'dynamodb',
      createDynamoDbStores({ ...definedDynamoDb(config), log, registry }),
      (s) => s.close(),
    );
  }
  const opened: { stores?: DynamoDbStores } = {};
  const dynalite = resources.add(
    'embedded dynalite',
    await startEmbeddedDynalite({ path: join(config.dataDir, 'dynamodb'), host: '127.0.0.1' }),
    (d) => closeEmbedded(d, opened.stores),
  );
  const database = { ...definedDynamoDb(config), endpoint: dynalite.endpoint, region: 'us-east-1' };
  await createTables({ ...database, log });
  opened.stores = createDynamoDbStores({ ...database, log, registry });
  return opened.stores;
}

/**
 * Closes the server before the client: destroying the client's sockets while a request is
 * in flight (a node's last write) can leave dynalite handling it on a database it has
 * already closed, which crashes the process. The server's close, though, waits for the
 * client's idle keep-alive sockets (5 s), so once in-flight requests had a moment to
 * finish, the client is closed to release them.
 */
async function closeEmbedded(
  dynalite: EmbeddedDynalite,
  stores: DynamoDbStores | undefined,
): Promise<void> {
  const closed = dynalite.close();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, IN_FLIGHT_GRACE_MS))),
  ]);
  clearTimeout(timer);
  stores?.close();
  await closed;
}
