export { createDynamoDbStores } from './create-dynamodb-stores';
export type { CreateDynamoDbStoresOptions, DynamoDbStores } from './create-dynamodb-stores';
export { createTables } from './create-tables';
export { startEmbeddedDynalite } from './embedded-dynalite';
export type { EmbeddedDynalite } from './embedded-dynalite';
export type { DynamoDbConnectionOptions, DynamoDbStoresOptions } from './dynamodb-client';
export { DynamoDbBroadcastStore, BROADCASTS_PARTITION } from './dynamodb-broadcast-store';
export { createDynamoDbCallMetrics } from './dynamodb-metrics';
