import { DEFAULT_CONNECTION_SETTINGS, resolveConnectionSettings } from '../src';
import { HelloDeadlines } from '../src/hello-deadlines';

describe('connection settings', () => {
  it('fills every default the spec names', () => {
    expect(resolveConnectionSettings()).toEqual({
      helloTimeoutMs: 10_000,
      idleTimeoutSeconds: 300,
      maxFrameBytes: 65_536,
      messageLimitPerDrain: 150,
      drainBatchSize: 10,
      clientPingMinIntervalMs: 45_000,
      maxConnections: 0,
      broadcastPollMs: 30_000,
      storageConcurrency: 64,
      storageAttempts: 3,
      storageRetryMs: 200,
      ackDeleteWindowMs: 100,
    });
    expect(resolveConnectionSettings({ drainBatchSize: 3 })).toEqual({
      ...DEFAULT_CONNECTION_SETTINGS,
      drainBatchSize: 3,
    });
  });

  it.each([
    ['a negative hello timeout', { helloTimeoutMs: -1 }],
    ['an idle timeout uWS would abort on', { idleTimeoutSeconds: 4 }],
    ['an empty drain batch', { drainBatchSize: 0 }],
    ['a non-number', { maxFrameBytes: Number.NaN }],
    ['a fractional connection cap', { maxConnections: 1.5 }],
    ['no storage call in flight', { storageConcurrency: 0 }],
    ['no storage attempt', { storageAttempts: 0 }],
  ])('refuses %s', (_what, overrides) => {
    expect(() => resolveConnectionSettings(overrides)).toThrow(RangeError);
  });
});

describe('hello deadlines swept by one timer', () => {
  class Socket {
    expired = false;
    expireHello(): void {
      this.expired = true;
    }
  }

  it('expires sockets whose deadline passed, oldest first, and leaves younger ones queued', () => {
    let nowMs = 0;
    const deadlines = new HelloDeadlines<Socket>(100, () => nowMs);
    try {
      const sockets = [new Socket(), new Socket(), new Socket()];
      sockets.forEach((s, i) => {
        nowMs = i * 30;
        deadlines.add(s);
      });
      nowMs = 130;
      deadlines.sweep();
      expect(sockets.map((s) => s.expired)).toEqual([true, true, false]);
      expect(deadlines.pendingCount).toBe(1);
      nowMs = 160;
      deadlines.sweep();
      expect(sockets[2]?.expired).toBe(true);
      expect(deadlines.pendingCount).toBe(0);
    } finally {
      deadlines.stop();
    }
  });

  it('holds only sockets still waiting: a deleted one is never expired', () => {
    let nowMs = 0;
    const deadlines = new HelloDeadlines<Socket>(100, () => nowMs);
    try {
      const [said, closed, silent] = [new Socket(), new Socket(), new Socket()];
      for (const socket of [said, closed, silent]) deadlines.add(socket);
      deadlines.delete(said);
      deadlines.delete(closed);
      deadlines.delete(closed);
      expect(deadlines.pendingCount).toBe(1);
      nowMs = 100;
      deadlines.sweep();
      expect([said.expired, closed.expired, silent.expired]).toEqual([false, false, true]);
      expect(deadlines.pendingCount).toBe(0);
    } finally {
      deadlines.stop();
    }
  });

  it('sweeps thousands of expired sockets in one pass and keeps exactly the rest', () => {
    let nowMs = 0;
    const deadlines = new HelloDeadlines<Socket>(10, () => nowMs);
    try {
      for (let i = 0; i < 5000; i += 1) {
        nowMs = i;
        deadlines.add(new Socket());
      }
      nowMs = 4_000;
      deadlines.sweep();
      expect(deadlines.pendingCount).toBe(1009);
    } finally {
      deadlines.stop();
    }
  });
});
