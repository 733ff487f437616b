import type { MessageId, Uaid } from '@herald/core';
import { DeferredDeletes } from '../src/storage/deferred-deletes';

/** A store that records when each delete starts and lets the test fail one. */
class RecordingStore {
  readonly started: string[] = [];
  failing: string | undefined;

  delete(uaid: Uaid, storageKey: string): Promise<void> {
    this.started.push(storageKey);
    return storageKey === this.failing
      ? Promise.reject(new Error('unavailable'))
      : Promise.resolve();
  }
}

const uaid = 'u' as Uaid;
const id = (n: number): MessageId => `m${n}` as MessageId;

describe('deferred deletes of acked messages', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts every delete of a window together when the window ends', async () => {
    const store = new RecordingStore();
    const deletes = new DeferredDeletes(store, 100);
    const first = deletes.delete(uaid, 'k1', id(1));
    jest.advanceTimersByTime(60);
    const second = deletes.delete(uaid, 'k2', id(2));
    jest.advanceTimersByTime(39);
    expect(store.started).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(store.started).toEqual(['k1', 'k2']);
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    expect(deletes.heldCount).toBe(0);
  });

  it("settles each delete as the store's delete does", async () => {
    const store = new RecordingStore();
    store.failing = 'k2';
    const deletes = new DeferredDeletes(store, 100);
    const ok = deletes.delete(uaid, 'k1', id(1));
    const failed = deletes.delete(uaid, 'k2', id(2));
    deletes.flush();
    await expect(ok).resolves.toBeUndefined();
    await expect(failed).rejects.toThrow('unavailable');
  });

  it('starts held deletes on stop and holds none afterwards', () => {
    const store = new RecordingStore();
    const deletes = new DeferredDeletes(store, 100);
    void deletes.delete(uaid, 'k1', id(1));
    deletes.stop();
    expect(store.started).toEqual(['k1']);
    void deletes.delete(uaid, 'k2', id(2));
    expect(store.started).toEqual(['k1', 'k2']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('holds nothing with a window of 0', () => {
    const store = new RecordingStore();
    void new DeferredDeletes(store, 0).delete(uaid, 'k1', id(1));
    expect(store.started).toEqual(['k1']);
  });
});
