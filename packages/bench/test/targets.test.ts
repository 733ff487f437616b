import type { BenchResults, FloorPipeline } from '../src/results';
import { judgeTargets } from '../src/report/targets';

function latency(p50Ms: number, p99Ms: number) {
  return { count: 1000, p50Ms, p95Ms: p99Ms, p99Ms, maxMs: p99Ms, meanMs: p50Ms };
}

function floor(endpointUs: number, connectionUs: number, p50Ms: number, p99Ms: number) {
  const f: FloorPipeline = {
    rate: 200,
    agents: 10_000,
    sent: 1200,
    accepted: 1200,
    delivered: 1200,
    latency: latency(p50Ms, p99Ms),
    endpointCpuUsPerPush: endpointUs,
    connectionCpuUsPerPush: connectionUs,
    dynamoDbRequestsPerPush: 2.05,
  };
  return f;
}

/** A run with Herald at 200/s and the given floor readings; everything else unmeasured. */
function run(before?: FloorPipeline, after?: FloorPipeline): BenchResults {
  return {
    meta: {
      profile: 'quick',
      startedAt: '2026-11-29T00:00:00Z',
      commit: 'test',
      machine: { cpus: 2, cpuModel: 'test', memoryGiB: 24, node: 'v20', os: 'Linux' },
    },
    baselines: {
      rate: 200,
      natsPublishReceive: latency(0.5, 2),
      dynamoDbPutItem: { ...latency(5, 40), errors: 0 },
      uwsSendReceive: latency(0.2, 1),
      ...(before === undefined ? {} : { floorPipeline: before }),
      ...(after === undefined ? {} : { floorPipelineAfter: after }),
    },
    idleDensity: {},
    pushThroughput: {
      agents: 10_000,
      steps: [
        {
          rate: 200,
          sent: 1200,
          accepted: 1200,
          errors: 0,
          delivered: 1200,
          acceptedPerSecond: 200,
          deliveredPerSecond: 200,
          latency: latency(6, 30),
          endpointCpuUsPerPush: 1600,
          connectionCpuUsPerPush: 500,
          dynamoDbRequestsPerPush: 2.05,
          dynamoDbRequests: {},
          verifiedDecryptions: 12,
          sustainable: true,
        },
      ],
    },
    endpointCpu: { rate: 200, variants: [] },
    reconnectStorm: {},
    profiles: [],
    targets: [],
    failures: [],
  };
}

const row = (r: BenchResults, figure: RegExp) => {
  const found = judgeTargets(r, 200).find((t) => figure.test(t.figure));
  if (found === undefined) throw new Error(`no target row matches ${figure}`);
  return found;
};

describe('targets read against the floor pipeline', () => {
  it('uses the mean of the readings before and after Herald', () => {
    const r = run(floor(1000, 400, 8, 50), floor(1400, 600, 4, 30));
    const connection = row(r, /^connection-node CPU/);
    expect(connection.baseline).toBe('500.0 µs (floor pipeline, 200/s, mean of 2 readings)');
    expect(connection.ratio).toBe('1.00×');
    expect(row(r, /latency p50/).baseline).toContain('floor pipeline 6.00 ms, mean of 2');
  });

  it('says "floor beyond target" only when every reading is beyond it', () => {
    // p50: both readings above 5 ms; p99: one reading (20 ms) within 25 ms.
    const r = run(floor(1000, 400, 8, 50), floor(1400, 600, 6, 20));
    expect(row(r, /latency p50/).floorBeyondTarget).toBe(true);
    expect(row(r, /latency p99/).floorBeyondTarget).toBe(false);
    expect(row(r, /latency p99/).met).toBe(false);
  });

  it('reads a single reading as is, and no floor as unknown', () => {
    const one = row(run(floor(1000, 400, 8, 50)), /^connection-node CPU/);
    expect(one.baseline).toBe('400.0 µs (floor pipeline, 200/s)');
    expect(one.floorBeyondTarget).toBe(true);
    const none = row(run(), /^connection-node CPU/);
    expect(none.baseline).toBe('—');
    expect(none.floorBeyondTarget).toBeUndefined();
  });
});
