/** Latency percentiles in milliseconds (nearest-rank). */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export function summarise(samplesMs: number[]): LatencySummary {
  if (samplesMs.length === 0)
    return { count: 0, p50Ms: NaN, p95Ms: NaN, p99Ms: NaN, maxMs: NaN, meanMs: NaN };
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const sum = samplesMs.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p95Ms: round(at(0.95)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    meanMs: round(sum / sorted.length),
  };
}

/** Three significant decimals are plenty for milliseconds and microseconds alike. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
