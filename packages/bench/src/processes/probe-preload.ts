/**
 * Loaded into each Herald node with `node --expose-gc --require <this file>`, so the
 * suite can read the node's own CPU time and memory without touching product code.
 * Over the IPC channel it answers:
 *  - `probe` (`gc: true` runs a full collection first): `process.cpuUsage()` and
 *    `process.memoryUsage()`;
 *  - `profile-start` / `profile-stop` (`path`): a V8 CPU profile of the window in between,
 *    written as a `.cpuprofile` (what `node --cpu-prof` writes, for just that window), and
 *    a sampling allocation profile of it beside it (`.heapprofile`).
 * If the suite dies the channel closes and the node is asked to shut down (SIGTERM), so
 * no node outlives a killed run.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { heapProfilePath } from './profile-files';

const SAMPLING_INTERVAL_US = 250;
const HEAP_SAMPLING_INTERVAL_BYTES = 16 * 1024;

interface Request {
  readonly id: number;
  readonly type: string;
  readonly gc?: boolean;
  readonly path?: string;
}

let session: Session | undefined;

function post<T>(method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    if (session === undefined) return reject(new Error('no inspector session'));
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)));
  });
}

async function answer(request: Request): Promise<unknown> {
  switch (request.type) {
    case 'probe': {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (request.gc === true && gc !== undefined) {
        // Twice: the first pass may only queue finalisers that free more on the second.
        gc();
        gc();
      }
      return { cpu: process.cpuUsage(), memory: process.memoryUsage(), gcRan: gc !== undefined };
    }
    case 'profile-start':
      session = new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      await post('Profiler.start');
      // Allocations too, counting what young- and old-generation collections freed
      // since, so short-lived garbage (what drives scavenges) shows where it is made.
      await post('HeapProfiler.enable');
      await post('HeapProfiler.startSampling', {
        samplingInterval: HEAP_SAMPLING_INTERVAL_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      return { started: true };
    case 'profile-stop': {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      const heap = await post<{ profile: unknown }>('HeapProfiler.stopSampling');
      session?.disconnect();
      session = undefined;
      if (request.path !== undefined) {
        writeFileSync(request.path, JSON.stringify(profile));
        writeFileSync(heapProfilePath(request.path), JSON.stringify(heap.profile));
      }
      return { path: request.path };
    }
    default:
      throw new Error(`unknown probe request ${request.type}`);
  }
}

if (process.send !== undefined) {
  process.on('message', (raw) => {
    const request = raw as Request;
    answer(request).then(
      (reply) => process.send?.({ id: request.id, reply }),
      (error: unknown) => process.send?.({ id: request.id, error: String(error) }),
    );
  });
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  // The node's own servers keep it alive; the probe channel must not.
  process.channel?.unref();
}
