import {
  describeBroadcastStoreContract,
  describeMessageStoreContract,
  describeRouterStoreContract,
  startDynalite,
} from '@herald/testkit';
import type { DynamoDbServerFixture } from '@herald/testkit';
import { contractFactories } from './fresh-tables';

// One in-memory dynalite for the file; every suite gets its own tables.
let server: DynamoDbServerFixture;
beforeAll(async () => {
  server = await startDynalite();
});
afterAll(async () => {
  await server?.stop();
});

const factories = contractFactories(() => server.endpoint);
describeRouterStoreContract('DynamoDbRouterStore on dynalite', factories.router);
describeMessageStoreContract('DynamoDbMessageStore on dynalite', factories.message);
describeBroadcastStoreContract('DynamoDbBroadcastStore on dynalite', factories.broadcast);
