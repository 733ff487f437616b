import { randomUUID } from 'node:crypto';
import type { BroadcastStore } from '@herald/core';
import type { StoreFixture } from './store-contracts';

/**
 * The behaviour every `BroadcastStore` must show. `makeStore` is called once per test:
 * `list()` returns the whole set, so tests cannot share a store the way the
 * per-uaid contracts do.
 */
export function describeBroadcastStoreContract(
  name: string,
  makeStore: () => Promise<StoreFixture<BroadcastStore>>,
): void {
  describe(`${name} (BroadcastStore contract)`, () => {
    let fixture: StoreFixture<BroadcastStore> | undefined;
    let store: BroadcastStore;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.dispose();
      fixture = undefined;
    });

    it('lists nothing before any broadcast is set', async () => {
      expect(await store.list()).toEqual({});
    });

    it('lists a broadcast with the version it was set to', async () => {
      await store.set('remote-settings/monitor_changes', '"1700000000000"');
      expect(await store.list()).toEqual({
        'remote-settings/monitor_changes': '"1700000000000"',
      });
    });

    it('keeps only the latest version of an id', async () => {
      await store.set('a', 'v1');
      await store.set('a', 'v2');
      expect(await store.list()).toEqual({ a: 'v2' });
    });

    it('treats setting the same version twice as setting it once', async () => {
      await store.set('a', 'v1');
      await store.set('a', 'v1');
      expect(await store.list()).toEqual({ a: 'v1' });
    });

    it('keeps every id independently', async () => {
      await store.set('a', '1');
      await store.set('b', '2');
      await store.set('a', '3');
      expect(await store.list()).toEqual({ a: '3', b: '2' });
    });

    it('keeps ids with slashes, dots and colons and versions with any characters', async () => {
      const version = `"${randomUUID()}" é ✓`;
      await store.set('x/y.z:1_-', version);
      expect(await store.list()).toEqual({ 'x/y.z:1_-': version });
    });

    it('lists every id when there are many', async () => {
      const expected: Record<string, string> = {};
      for (let i = 0; i < 60; i++) expected[`id-${String(i).padStart(2, '0')}`] = `v${i}`;
      await Promise.all(Object.entries(expected).map(([id, v]) => store.set(id, v)));
      expect(await store.list()).toEqual(expected);
    });

    it('returns a snapshot that later sets do not change', async () => {
      await store.set('a', '1');
      const before = await store.list();
      await store.set('a', '2');
      expect(before).toEqual({ a: '1' });
    });
  });
}
