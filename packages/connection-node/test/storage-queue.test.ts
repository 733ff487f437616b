import { StorageQueue } from '../src/storage/storage-queue';
import { retryStorage } from '../src/storage/storage-retry';

/** A call the test finishes by hand. */
class HeldCall {
  started = false;
  finish!: (value: string) => void;
  fail!: (error: Error) => void;

  readonly run = (): Promise<string> => {
    this.started = true;
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
  };
}

describe('the storage queue', () => {
  it('keeps at most its limit in flight and starts the rest in arrival order', async () => {
    const queue = new StorageQueue(2);
    const calls = Array.from({ length: 5 }, () => new HeldCall());
    const results = calls.map((call) => queue.run(call.run));
    expect(calls.map((c) => c.started)).toEqual([true, true, false, false, false]);
    expect({ inFlight: queue.inFlightCount, waiting: queue.waitingCount }).toEqual({
      inFlight: 2,
      waiting: 3,
    });

    calls[1]!.finish('b');
    await expect(results[1]).resolves.toBe('b');
    expect(calls.map((c) => c.started)).toEqual([true, true, true, false, false]);

    calls[0]!.fail(new Error('down'));
    await expect(results[0]).rejects.toThrow('down');
    expect(calls.map((c) => c.started)).toEqual([true, true, true, true, false]);

    for (const call of calls.slice(2)) {
      await new Promise((resolve) => setImmediate(resolve));
      call.finish('x');
    }
    await Promise.all(results.slice(2));
    expect({ inFlight: queue.inFlightCount, waiting: queue.waitingCount }).toEqual({
      inFlight: 0,
      waiting: 0,
    });
  });

  it('frees the slot of a call that throws before returning a promise', async () => {
    const queue = new StorageQueue(1);
    await expect(
      queue.run(() => {
        throw new Error('synchronous');
      }),
    ).rejects.toThrow('synchronous');
    await expect(queue.run(() => Promise.resolve(7))).resolves.toBe(7);
  });

  it('refuses a limit below one', () => {
    expect(() => new StorageQueue(0)).toThrow(RangeError);
  });
});

describe('storage retries', () => {
  const settings = { storageAttempts: 3, storageRetryMs: 1 };

  it('returns the first success after failed attempts', async () => {
    let attempts = 0;
    const value = await retryStorage(
      () => (++attempts < 3 ? Promise.reject(new Error('hiccup')) : Promise.resolve('ok')),
      settings,
      () => true,
    );
    expect({ value, attempts }).toEqual({ value: 'ok', attempts: 3 });
  });

  it.each([
    ['after the last attempt', true, 'down 3'],
    ['once the caller no longer wants the result', false, 'down 1'],
  ])('gives up with the last error %s', async (_when, wanted, lastError) => {
    let attempts = 0;
    await expect(
      retryStorage(
        () => Promise.reject(new Error(`down ${++attempts}`)),
        settings,
        () => wanted,
      ),
    ).rejects.toThrow(lastError);
  });
});
