/**
 * The stores the endpoint tests run against.
 */
import { MemoryMessageStore, MemoryRouterStore, type MessageStore, type RouterStore } from '@herald/core';

export interface TestStores {
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  close(): Promise<void>;
}

export async function openTestStores(): Promise<TestStores> {
  return { routerStore: new MemoryRouterStore(), messageStore: new MemoryMessageStore(), close: async () => {} };
}
