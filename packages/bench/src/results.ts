/** The shape of `bench/results/<timestamp>.json`. Every section is present, possibly empty. */
import type { LatencySummary } from './stats';

export interface DensityStep {
  readonly connections: number;
  /** Connections established (hello'd and registered) per second while filling this step. */
  readonly connectPerSecond: number;
  readonly failed: number;
  /** Summed over the processes, after a forced GC. */
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** V8's committed heap, summed: heap regions grown under load and kept after GC. */
  readonly heapTotalBytes?: number;
  /** RSS of the empty servers after a warm-up that connected and closed agents. */
  readonly emptyRssBytes?: number;
  /** (value at this step − value of the warmed-up empty server) / connections. */
  readonly rssPerConnectionBytes: number;
  /** (value at this step − value at the previous step) / connections added. */
  readonly rssMarginalPerConnectionBytes?: number;
  /** Buffers and other memory outside the JS heap that V8 knows of, summed. */
  readonly externalBytes: number;
  readonly heapPerConnectionBytes: number;
  /**
   * CPU ms per second of wall time, summed over the processes, with every connection
   * open and no traffic but WebSocket pings (measured at a run's last step only).
   */
  readonly idleCpuMsPerSecond?: number;
  /** Connections each process ended up holding (SO_REUSEPORT spreads them unevenly). */
  readonly perProcess: number[];
}

export interface DensityRun {
  readonly processes: number;
  herald: DensityStep[];
  bareUws: DensityStep[];
}

export interface PushStep {
  readonly rate: number;
  readonly sent: number;
  readonly accepted: number;
  /** Non-201 answers and transport errors. */
  readonly errors: number;
  readonly delivered: number;
  readonly acceptedPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly latency: LatencySummary;
  readonly endpointCpuUsPerPush: number;
  readonly connectionCpuUsPerPush: number;
  readonly dynamoDbRequestsPerPush: number;
  readonly dynamoDbRequests: Record<string, number>;
  readonly verifiedDecryptions: number;
  readonly sustainable: boolean;
}

export interface EndpointCpuVariant {
  readonly name: string;
  readonly description: string;
  readonly pushes: number;
  readonly accepted: number;
  readonly cpuUsPerAcceptedPush: number;
  readonly latency: LatencySummary;
}

export interface StormResult {
  readonly agents: number;
  readonly storedPushes: number;
  readonly storedAccepted: number;
  readonly helloed: number;
  /** From the simultaneous reconnect to the last hello reply. */
  readonly allHelloedMs: number;
  /**
   * From the reconnect until every agent that said hello holds all its stored
   * notifications; null when that did not happen within `drainTimeoutMs`.
   */
  readonly allDrainedMs: number | null;
  readonly drainTimeoutMs: number;
  readonly received: number;
  readonly missing: number;
  readonly duplicates: number;
  readonly errors: number;
  readonly errorSamples: string[];
  readonly connectionCpuMs: number;
  readonly dynamoDbRequests: Record<string, number>;
}

export interface ProfileHotspot {
  readonly function: string;
  readonly location: string;
  readonly selfPercent: number;
}

export interface ProcessProfile {
  readonly process: string;
  readonly window: string;
  readonly file: string;
  readonly byPackage: { name: string; selfPercent: number }[];
  readonly top: ProfileHotspot[];
  /** Where the same window's allocations were made (absent in results older than it). */
  readonly allocation?: AllocationSummary;
}

/** Bytes allocated in a profile window, freed since or not; percentages are of those bytes. */
export interface AllocationSummary {
  readonly file: string;
  readonly bytesPerPush: number;
  readonly byPackage: { name: string; selfPercent: number }[];
  readonly top: ProfileHotspot[];
}

/**
 * The floor pipeline (bare uWS + NATS + a bare node:http endpoint, DynamoDB through the
 * same proxy) at the target rate: the I/O of Herald's push path with none of its work.
 */
export interface FloorPipeline {
  readonly rate: number;
  readonly agents: number;
  readonly sent: number;
  readonly accepted: number;
  readonly delivered: number;
  readonly latency: LatencySummary;
  readonly endpointCpuUsPerPush: number;
  readonly connectionCpuUsPerPush: number;
  readonly dynamoDbRequestsPerPush: number;
}

export interface TargetOutcome {
  readonly figure: string;
  readonly target: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly met: boolean | undefined;
  /**
   * True when the same-run floor (the I/O alone, no product work) is itself beyond the
   * absolute target: no implementation on this machine could meet it.
   */
  readonly floorBeyondTarget?: boolean;
}

export interface BenchResults {
  meta: {
    profile: string;
    startedAt: string;
    finishedAt?: string;
    durationSeconds?: number;
    commit: string;
    machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; os: string };
  };
  baselines: {
    rate: number;
    natsPublishReceive?: LatencySummary;
    dynamoDbPutItem?: LatencySummary & { errors: number };
    uwsSendReceive?: LatencySummary;
    /** Read before Herald's scenarios, with the bare uWS baseline's agents. */
    floorPipeline?: FloorPipeline;
    /**
     * Read again after Herald's push scenarios (same size, fresh agents), so a drift of the
     * shared machine or of DynamoDB Local over the run shows instead of biasing the ratio.
     */
    floorPipelineAfter?: FloorPipeline;
  };
  idleDensity: { singleProcess?: DensityRun; reusePort?: DensityRun };
  pushThroughput: { agents: number; steps: PushStep[]; highestSustainableRate?: number };
  endpointCpu: { rate: number; variants: EndpointCpuVariant[] };
  reconnectStorm: Partial<StormResult>;
  profiles: ProcessProfile[];
  targets: TargetOutcome[];
  failures: string[];
}
