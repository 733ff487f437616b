/**
 * Open-loop pacing: action `i` fires at `start + i / rate` regardless of how earlier
 * ones fared (a slow system shows as latency, not as a slower offered load). Resolves
 * once all `count` have fired. Timer ticks are 1 ms; actions due together fire together.
 */
export function runOpenLoop(
  rate: number,
  count: number,
  fire: (index: number, scheduledNs: number) => void,
): Promise<void> {
  const intervalNs = 1e9 / rate;
  const startNs = Number(process.hrtime.bigint());
  let next = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const nowNs = Number(process.hrtime.bigint());
      while (next < count && startNs + next * intervalNs <= nowNs) {
        fire(next, startNs + next * intervalNs);
        next += 1;
      }
      if (next < count) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
}

export function nowNs(): number {
  return Number(process.hrtime.bigint());
}
