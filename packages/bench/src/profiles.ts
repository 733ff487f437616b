/**
 * How big each scenario runs. `quick` (the default) fits in about five minutes on the
 * 2-core reference machine; `full` goes to the sizes (19,000 on one process,
 * 4 × ~4,750 with SO_REUSEPORT, 10,000 agents pushed to and stormed); `smoke` only proves
 * the suite starts, measures and writes its JSON (CI).
 */
export interface BenchProfile {
  readonly name: 'smoke' | 'quick' | 'full';
  /** Fleet processes (each on its own 127.0.0.x) for the single-process scenarios. */
  readonly fleets: number;
  /** Cumulative connection counts on one connection-node process; the last also carries scenarios 2–4. */
  readonly idleSteps: readonly number[];
  /** Connection nodes sharing one port, and connections per node. */
  readonly reusePortNodes: number;
  readonly reusePortPerNode: number;
  /** Fixed push rates (per second), then doubling from the last while sustainable, up to `maxRate`. */
  readonly pushRates: readonly number[];
  readonly maxRate: number;
  readonly pushStepSeconds: number;
  /** The rate the latency target is stated at, and the baselines are measured at. */
  readonly targetRate: number;
  readonly baselineSamples: number;
  /** Pushes per endpoint-CPU variant, sent at `targetRate`. */
  readonly endpointCpuPushes: number;
  readonly stormAgents: number;
  readonly stormMessagesPerAgent: number;
}

export const PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  smoke: {
    name: 'smoke',
    fleets: 2,
    idleSteps: [40, 100],
    reusePortNodes: 2,
    reusePortPerNode: 40,
    pushRates: [50],
    maxRate: 50,
    pushStepSeconds: 1,
    targetRate: 50,
    baselineSamples: 50,
    endpointCpuPushes: 40,
    stormAgents: 40,
    stormMessagesPerAgent: 1,
  },
  quick: {
    name: 'quick',
    fleets: 4,
    idleSteps: [2_000, 5_000, 10_000],
    reusePortNodes: 4,
    reusePortPerNode: 4_000,
    pushRates: [100, 200, 400],
    maxRate: 1_600,
    pushStepSeconds: 6,
    targetRate: 200,
    baselineSamples: 1_200,
    endpointCpuPushes: 1_000,
    stormAgents: 5_000,
    stormMessagesPerAgent: 1,
  },
  full: {
    name: 'full',
    fleets: 4,
    idleSteps: [2_000, 5_000, 10_000, 15_000, 19_000],
    reusePortNodes: 4,
    reusePortPerNode: 4_750,
    pushRates: [100, 200, 400],
    maxRate: 6_400,
    pushStepSeconds: 20,
    targetRate: 200,
    baselineSamples: 4_000,
    endpointCpuPushes: 4_000,
    stormAgents: 10_000,
    stormMessagesPerAgent: 3,
  },
};
