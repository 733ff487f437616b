import type { StormResult } from '../results';

/** "drained in N ms", or that it was not within the timeout (also for older results' -1). */
export function describeDrain(
  storm: Pick<Partial<StormResult>, 'allDrainedMs' | 'drainTimeoutMs'>,
): string {
  return typeof storm.allDrainedMs === 'number' && storm.allDrainedMs >= 0
    ? `drained in ${storm.allDrainedMs} ms`
    : `not drained within ${Math.round((storm.drainTimeoutMs ?? 0) / 1000)} s`;
}
