import type { MessageStore, RouterStore } from '@herald/core';

/** Runs a storage call, now or later (a queue), and settles as it does. */
export type CallThrough = <T>(call: () => Promise<T>) => Promise<T>;

/**
 * The router store with every call passed through `through`. Same guarantees and
 * failures as `store`; a call may only start later.
 */
export function routerStoreThrough(store: RouterStore, through: CallThrough): RouterStore {
  return {
    get: (uaid) => through(() => store.get(uaid)),
    claim: (uaid, owner) => through(() => store.claim(uaid, owner)),
    addChannel: (uaid, channelId, owner) => through(() => store.addChannel(uaid, channelId, owner)),
    removeChannel: (uaid, channelId) => through(() => store.removeChannel(uaid, channelId)),
    remove: (uaid) => through(() => store.remove(uaid)),
  };
}

/**
 * The message store with every call passed through `through`. Same guarantees and
 * failures as `store`; a call may only start later.
 */
export function messageStoreThrough(store: MessageStore, through: CallThrough): MessageStore {
  return {
    save: (notification) => through(() => store.save(notification)),
    fetch: (uaid, options) => through(() => store.fetch(uaid, options)),
    delete: (uaid, storageKey, messageId) =>
      through(() => store.delete(uaid, storageKey, messageId)),
    deleteAll: (uaid) => through(() => store.deleteAll(uaid)),
  };
}
