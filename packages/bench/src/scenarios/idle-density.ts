/**
 * Scenario 1: user agents connect, hello, register one channel and idle. The same fleets
 * drive a bare uWS server the same way, as the baseline.
 *
 * Method (the same for both servers): first a warm-up of {@link WARM_UP_CONNECTIONS}
 * agents connects and leaves, so one-time costs (code loaded and compiled on the first
 * hello, the storage client's sockets, heap regions grown by the first burst) are in the
 * reference rather than divided by however many connections the step holds. Each
 * measurement waits {@link SETTLE_MS}, the servers run a full GC (twice), wait
 * {@link SETTLE_MS} again (V8 returns the pages a GC freed to the OS some time after it,
 * so an RSS read straight after the GC can still hold them), then collect again and
 * report RSS and heap. Per-connection figures are the growth over the warmed-up empty server
 * divided by the connections held; the marginal figure is the growth over the previous
 * step divided by the connections added.
 *
 * At the last step the servers' idle CPU is read too: CPU time over
 * {@link IDLE_CPU_WINDOW_MS} with every agent connected and silent (the fleets send
 * nothing unprompted; they answer the server's WebSocket pings), as ms per second, with
 * an optional V8 CPU profile of the same window.
 */
import type { Fleet } from '../bench-environment';
import { closeGroup, connectSpread } from '../load/fleet-operations';
import type { ProbedProcess } from '../processes/herald-node';
import type { DensityStep } from '../results';
import { round } from '../stats';

export interface DensityOptions {
  readonly servers: ProbedProcess[];
  readonly fleets: Fleet[];
  readonly url: string;
  readonly group: string;
  readonly steps: readonly number[];
  /** The VAPID key agents register with (restricted v2 endpoints), if any. */
  readonly withKey?: string;
  readonly log: (line: string) => void;
  /** Where to write a `.cpuprofile` of the idle-CPU window (Herald nodes only). */
  readonly idleProfilePath?: string;
}

/** Agents that connect and leave before the empty server is measured. */
const WARM_UP_CONNECTIONS = 500;
/** Quiet time before each measurement, for closes and deferred work to finish. */
const SETTLE_MS = 1_000;
/** How long idle CPU is measured at the last step. */
const IDLE_CPU_WINDOW_MS = 10_000;

interface Memory {
  rss: number;
  heap: number;
  heapTotal: number;
  external: number;
}

async function memoryOf(servers: ProbedProcess[]): Promise<Memory> {
  const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  await settle();
  await Promise.all(servers.map((s) => s.probe(true)));
  await settle();
  const probes = await Promise.all(servers.map((s) => s.probe(true)));
  return {
    rss: probes.reduce((sum, p) => sum + p.memory.rss, 0),
    heap: probes.reduce((sum, p) => sum + p.memory.heapUsed, 0),
    heapTotal: probes.reduce((sum, p) => sum + p.memory.heapTotal, 0),
    external: probes.reduce((sum, p) => sum + p.memory.external, 0),
  };
}

export async function measureIdleDensity(o: DensityOptions): Promise<DensityStep[]> {
  const warmUp = `${o.group}-warm-up`;
  await connectSpread(o.fleets, warmUp, o.url, WARM_UP_CONNECTIONS, o.withKey);
  await closeGroup(o.fleets, warmUp);
  const empty = await memoryOf(o.servers);
  const steps: DensityStep[] = [];
  let held = 0;
  let previous = { held: 0, rss: empty.rss };
  for (const target of o.steps) {
    const outcome = await connectSpread(o.fleets, o.group, o.url, target - held, o.withKey);
    held += outcome.connected;
    const now = await memoryOf(o.servers);
    const perProcess = await Promise.all(
      o.servers.map(async (s) => ((await s.probe(false)) as { sockets?: number }).sockets ?? -1),
    );
    const step: { -readonly [K in keyof DensityStep]: DensityStep[K] } = {
      connections: held,
      connectPerSecond: round(outcome.connected / (outcome.elapsedMs / 1000), 1),
      failed: outcome.failed,
      rssBytes: now.rss,
      heapUsedBytes: now.heap,
      externalBytes: now.external,
      heapTotalBytes: now.heapTotal,
      emptyRssBytes: empty.rss,
      rssPerConnectionBytes: Math.round((now.rss - empty.rss) / Math.max(1, held)),
      rssMarginalPerConnectionBytes: Math.round(
        (now.rss - previous.rss) / Math.max(1, held - previous.held),
      ),
      heapPerConnectionBytes: Math.round((now.heap - empty.heap) / Math.max(1, held)),
      perProcess,
    };
    if (target === o.steps.at(-1)) {
      step.idleCpuMsPerSecond = await idleCpuMsPerSecond(o.servers, o.idleProfilePath);
      o.log(`  idle CPU ${step.idleCpuMsPerSecond} ms/s with ${held} connections`);
    }
    steps.push(step);
    previous = { held, rss: now.rss };
    o.log(
      `  ${held} connections (${outcome.failed} failed${outcome.firstError ? `: ${outcome.firstError}` : ''}), ` +
        `${step.connectPerSecond}/s, RSS ${step.rssPerConnectionBytes} B/conn (marginal ${step.rssMarginalPerConnectionBytes}), ` +
        `heap ${step.heapPerConnectionBytes} B/conn, heap total ${Math.round(now.heapTotal / 2 ** 20)} MiB`,
    );
  }
  return steps;
}

/**
 * CPU ms per second of wall time the servers spend, summed, while nothing is asked of
 * them; then, if asked, a profile of a second window of the same length (a profiler
 * sampling every 250 µs costs ~90 ms/s itself, so it is kept out of the figure).
 */
async function idleCpuMsPerSecond(
  servers: ProbedProcess[],
  profilePath: string | undefined,
): Promise<number> {
  const cpuMs = async (): Promise<number> =>
    (await Promise.all(servers.map((s) => s.probe(false)))).reduce(
      (sum, p) => sum + (p.cpu.user + p.cpu.system) / 1000,
      0,
    );
  const wait = (): Promise<unknown> =>
    new Promise((resolve) => setTimeout(resolve, IDLE_CPU_WINDOW_MS));
  const startedMs = performance.now();
  const before = await cpuMs();
  await wait();
  const after = await cpuMs();
  const elapsedMs = performance.now() - startedMs;
  const profiled = servers[0];
  if (profilePath !== undefined && profiled !== undefined) {
    await profiled.profileStart();
    await wait();
    await profiled.profileStop(profilePath);
  }
  return round(((after - before) / elapsedMs) * 1000, 1);
}
