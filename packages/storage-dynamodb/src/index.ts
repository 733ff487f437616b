export { createDynamoDbStores } from './create-dynamodb-stores';
export type { DynamoDbStores } from './create-dynamodb-stores';
export { createTables } from './create-tables';
export { startEmbeddedDynalite } from './embedded-dynalite';
export type { EmbeddedDynalite } from './embedded-dynalite';
export type { DynamoDbConnectionOptions, DynamoDbStoresOptions } from './dynamodb-client';
