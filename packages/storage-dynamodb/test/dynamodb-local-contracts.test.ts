import {
  describeBroadcastStoreContract,
  describeMessageStoreContract,
  describeRouterStoreContract,
  startDynamoDbLocal,
} from '@herald/testkit';
import type { DynamoDbServerFixture } from '@herald/testkit';
import { contractFactories } from './fresh-tables';

// One DynamoDB Local (a JVM: seconds to start) for the file; every suite gets its own tables.
let server: DynamoDbServerFixture;
beforeAll(async () => {
  server = await startDynamoDbLocal();
});
afterAll(async () => {
  await server?.stop();
});

const factories = contractFactories(() => server.endpoint);
describeRouterStoreContract('DynamoDbRouterStore on DynamoDB Local', factories.router);
describeMessageStoreContract('DynamoDbMessageStore on DynamoDB Local', factories.message);
describeBroadcastStoreContract('DynamoDbBroadcastStore on DynamoDB Local', factories.broadcast);
