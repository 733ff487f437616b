import { MemoryMessageStore, MemoryRouterStore } from '@herald/core';
import { describeMessageStoreContract, describeRouterStoreContract } from '../src';

// The memory stores stand in for DynamoDB in unit tests, so they must pass the same contracts.
describeRouterStoreContract('MemoryRouterStore', () =>
  Promise.resolve({ store: new MemoryRouterStore(), dispose: () => {} }),
);
describeMessageStoreContract('MemoryMessageStore', () =>
  Promise.resolve({ store: new MemoryMessageStore(), dispose: () => {} }),
);
