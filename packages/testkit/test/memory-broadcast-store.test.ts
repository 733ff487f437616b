import { MemoryBroadcastStore } from '@herald/core';
import { describeBroadcastStoreContract } from '../src';

// The memory store stands in for DynamoDB in unit tests and herald dev without a store.
describeBroadcastStoreContract('MemoryBroadcastStore', () =>
  Promise.resolve({ store: new MemoryBroadcastStore(), dispose: () => {} }),
);
