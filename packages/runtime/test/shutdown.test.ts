import { PassThrough } from 'node:stream';
import { createLogger, onShutdownSignal } from '../src';

const log = createLogger({ level: 'error', name: 'herald-test', destination: new PassThrough() });

describe('onShutdownSignal', () => {
  it('runs the handler once on SIGTERM and exits 0 when it finishes', async () => {
    let runs = 0;
    const exited = new Promise<number>((resolve) => {
      const dispose = onShutdownSignal(
        () => {
          runs += 1;
          return Promise.resolve();
        },
        {
          deadlineMs: 1000,
          log,
          exit: (code) => {
            dispose();
            resolve(code);
          },
        },
      );
    });
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(runs).toBe(1);
  });

  it('exits 1 when the handler is still running at the deadline', async () => {
    let release: () => void = () => undefined;
    const exited = new Promise<number>((resolve) => {
      const dispose = onShutdownSignal(() => new Promise<void>((r) => (release = r)), {
        deadlineMs: 20,
        log,
        exit: (code) => {
          dispose();
          resolve(code);
        },
      });
    });
    process.emit('SIGINT', 'SIGINT');
    expect(await exited).toBe(1);
    release();
  });
});
