/**
 * Scenario 1: user agents connect, hello, register one channel and idle. After each
 * step the servers run a full GC and report RSS and heap; per-connection figures are
 * the growth over the empty server divided by the connections held. The same fleets
 * drive a bare uWS server the same way, as the baseline.
 */
import type { Fleet } from '../bench-environment';
import { connectSpread } from '../load/fleet-operations';
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
}

async function memoryOf(
  servers: ProbedProcess[],
): Promise<{ rss: number; heap: number; external: number }> {
  const probes = await Promise.all(servers.map((s) => s.probe(true)));
  return {
    rss: probes.reduce((sum, p) => sum + p.memory.rss, 0),
    heap: probes.reduce((sum, p) => sum + p.memory.heapUsed, 0),
    external: probes.reduce((sum, p) => sum + p.memory.external, 0),
  };
}

export async function measureIdleDensity(o: DensityOptions): Promise<DensityStep[]> {
  const empty = await memoryOf(o.servers);
  const steps: DensityStep[] = [];
  let held = 0;
  for (const target of o.steps) {
    const outcome = await connectSpread(o.fleets, o.group, o.url, target - held, o.withKey);
    held += outcome.connected;
    const now = await memoryOf(o.servers);
    const perProcess = await Promise.all(
      o.servers.map(async (s) => ((await s.probe(false)) as { sockets?: number }).sockets ?? -1),
    );
    const step: DensityStep = {
      connections: held,
      connectPerSecond: round(outcome.connected / (outcome.elapsedMs / 1000), 1),
      failed: outcome.failed,
      rssBytes: now.rss,
      heapUsedBytes: now.heap,
      externalBytes: now.external,
      rssPerConnectionBytes: Math.round((now.rss - empty.rss) / Math.max(1, held)),
      heapPerConnectionBytes: Math.round((now.heap - empty.heap) / Math.max(1, held)),
      perProcess,
    };
    steps.push(step);
    o.log(
      `  ${held} connections (${outcome.failed} failed${outcome.firstError ? `: ${outcome.firstError}` : ''}), ` +
        `${step.connectPerSecond}/s, RSS ${step.rssPerConnectionBytes} B/conn, heap ${step.heapPerConnectionBytes} B/conn`,
    );
  }
  return steps;
}
