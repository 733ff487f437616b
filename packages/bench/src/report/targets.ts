/**
 * The issue's targets, judged against one run's results. A figure the run could not
 * measure is reported with `met: undefined` rather than guessed.
 */
import type { BenchResults, FloorPipeline, TargetOutcome } from '../results';
import { describeDrain } from './describe-drain';

const KB = 1024;

function fixed(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

function ratio(measured: number | undefined, baseline: number | undefined): string {
  if (measured === undefined || baseline === undefined || !(baseline > 0)) return '—';
  return `${(measured / baseline).toFixed(2)}×`;
}

/**
 * The floor the CPU and latency figures are read against: the mean of the floor pipeline's
 * readings before and after Herald's push scenarios (one, if only one was taken). A target
 * counts as beyond the floor only when every reading is beyond it.
 */
interface Floor {
  readonly rate: number;
  readonly readings: number;
  readonly endpointCpuUsPerPush: number;
  readonly connectionCpuUsPerPush: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The least of each figure over the readings, for "beyond the target". */
  readonly least: {
    readonly endpointCpuUsPerPush: number;
    readonly connectionCpuUsPerPush: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
  };
}

function floorOf(r: BenchResults): Floor | undefined {
  const readings = [r.baselines.floorPipeline, r.baselines.floorPipelineAfter].filter(
    (f): f is FloorPipeline => f !== undefined,
  );
  if (readings.length === 0) return undefined;
  const figures = {
    endpointCpuUsPerPush: readings.map((f) => f.endpointCpuUsPerPush),
    connectionCpuUsPerPush: readings.map((f) => f.connectionCpuUsPerPush),
    p50Ms: readings.map((f) => f.latency.p50Ms),
    p99Ms: readings.map((f) => f.latency.p99Ms),
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    rate: readings[0]!.rate,
    readings: readings.length,
    endpointCpuUsPerPush: mean(figures.endpointCpuUsPerPush),
    connectionCpuUsPerPush: mean(figures.connectionCpuUsPerPush),
    p50Ms: mean(figures.p50Ms),
    p99Ms: mean(figures.p99Ms),
    least: {
      endpointCpuUsPerPush: Math.min(...figures.endpointCpuUsPerPush),
      connectionCpuUsPerPush: Math.min(...figures.connectionCpuUsPerPush),
      p50Ms: Math.min(...figures.p50Ms),
      p99Ms: Math.min(...figures.p99Ms),
    },
  };
}

export function judgeTargets(r: BenchResults, targetRate: number): TargetOutcome[] {
  const out: TargetOutcome[] = [];

  const herald = r.idleDensity.singleProcess?.herald.at(-1);
  const bare = r.idleDensity.singleProcess?.bareUws.at(-1);
  const rss = herald?.rssPerConnectionBytes;
  const bareRss = bare?.rssPerConnectionBytes;
  out.push({
    figure: `idle memory per connection (RSS, ${herald?.connections ?? '?'} on one process)`,
    target: '≤ 4 KB and ≤ 1.5 × bare uWS',
    measured: rss === undefined ? 'n/a' : `${(rss / KB).toFixed(2)} KB`,
    baseline: bareRss === undefined ? 'n/a' : `${(bareRss / KB).toFixed(2)} KB (bare uWS)`,
    ratio: ratio(rss, bareRss),
    met:
      rss === undefined || bareRss === undefined
        ? undefined
        : rss <= 4 * KB && rss <= 1.5 * bareRss,
  });
  const multi = r.idleDensity.reusePort;
  const multiRss = multi?.herald.at(-1)?.rssPerConnectionBytes;
  const multiBare = multi?.bareUws.at(-1)?.rssPerConnectionBytes;
  out.push({
    figure: `idle memory per connection (RSS, ${multi?.herald.at(-1)?.connections ?? '?'} over ${multi?.processes ?? '?'} processes, SO_REUSEPORT)`,
    target: '≤ 4 KB and ≤ 1.5 × bare uWS',
    measured: multiRss === undefined ? 'n/a' : `${(multiRss / KB).toFixed(2)} KB`,
    baseline: multiBare === undefined ? 'n/a' : `${(multiBare / KB).toFixed(2)} KB (bare uWS)`,
    ratio: ratio(multiRss, multiBare),
    met:
      multiRss === undefined || multiBare === undefined
        ? undefined
        : multiRss <= 4 * KB && multiRss <= 1.5 * multiBare,
  });

  const floor = floorOf(r);
  const floorNote =
    floor === undefined
      ? ''
      : ` (floor pipeline, ${floor.rate}/s${floor.readings > 1 ? `, mean of ${floor.readings} readings` : ''})`;
  const hit = r.endpointCpu.variants.find((v) => v.name === 'v2-cache-hit')?.cpuUsPerAcceptedPush;
  out.push({
    figure: 'endpoint CPU per accepted push, VAPID cache hit',
    target: '≤ 150 µs',
    measured: `${fixed(hit)} µs`,
    baseline: floor === undefined ? '—' : `${fixed(floor.endpointCpuUsPerPush)} µs${floorNote}`,
    ratio: ratio(hit, floor?.endpointCpuUsPerPush),
    met: hit === undefined ? undefined : hit <= 150,
    floorBeyondTarget: floor === undefined ? undefined : floor.least.endpointCpuUsPerPush > 150,
  });

  const atTarget = r.pushThroughput.steps.find((s) => s.rate === targetRate);
  const connectionCpu = atTarget?.connectionCpuUsPerPush;
  out.push({
    figure: `connection-node CPU per delivered and acked push (at ${targetRate}/s)`,
    target: '≤ 40 µs',
    measured: `${fixed(connectionCpu)} µs`,
    baseline: floor === undefined ? '—' : `${fixed(floor.connectionCpuUsPerPush)} µs${floorNote}`,
    ratio: ratio(connectionCpu, floor?.connectionCpuUsPerPush),
    met: connectionCpu === undefined ? undefined : connectionCpu <= 40,
    floorBeyondTarget: floor === undefined ? undefined : floor.least.connectionCpuUsPerPush > 40,
  });

  const b = r.baselines;
  const baselineP50 =
    (b.natsPublishReceive?.p50Ms ?? NaN) +
    (b.dynamoDbPutItem?.p50Ms ?? NaN) +
    (b.uwsSendReceive?.p50Ms ?? NaN);
  const baselineP99 =
    (b.natsPublishReceive?.p99Ms ?? NaN) +
    (b.dynamoDbPutItem?.p99Ms ?? NaN) +
    (b.uwsSendReceive?.p99Ms ?? NaN);
  const latency = atTarget?.latency;
  const agents = r.pushThroughput.agents;
  const floorLatency = (ms: number | undefined): string =>
    floor === undefined
      ? ''
      : `; floor pipeline ${fixed(ms, 2)} ms${floor.readings > 1 ? `, mean of ${floor.readings}` : ''}`;
  out.push({
    figure: `end-to-end latency p50 at ${targetRate}/s with ${agents} connected`,
    target: '≤ 5 ms',
    measured: `${fixed(latency?.p50Ms, 2)} ms`,
    baseline: `${fixed(baselineP50, 2)} ms (NATS + PutItem + uWS p50${floorLatency(floor?.p50Ms)})`,
    ratio: ratio(latency?.p50Ms, baselineP50),
    met: latency === undefined ? undefined : latency.p50Ms <= 5,
    floorBeyondTarget: floor === undefined ? undefined : floor.least.p50Ms > 5,
  });
  out.push({
    figure: `end-to-end latency p99 at ${targetRate}/s with ${agents} connected`,
    target: '≤ 25 ms and ≤ 3 × baselines',
    measured: `${fixed(latency?.p99Ms, 2)} ms`,
    baseline: `${fixed(baselineP99, 2)} ms (NATS + PutItem + uWS p99${floorLatency(floor?.p99Ms)})`,
    ratio: ratio(latency?.p99Ms, baselineP99),
    met:
      latency === undefined || !Number.isFinite(baselineP99)
        ? undefined
        : latency.p99Ms <= 25 && latency.p99Ms <= 3 * baselineP99,
    floorBeyondTarget: floor === undefined ? undefined : floor.least.p99Ms > 25,
  });

  const requests = atTarget?.dynamoDbRequestsPerPush;
  out.push({
    figure: `DynamoDB requests per delivered push (at ${targetRate}/s)`,
    target: '≤ 3',
    measured: `${fixed(requests, 2)} (${Object.entries(atTarget?.dynamoDbRequests ?? {})
      .map(([op, n]) => `${op} ${n}`)
      .join(', ')})`,
    baseline: '—',
    ratio: '—',
    met: requests === undefined ? undefined : requests <= 3,
  });

  const storm = r.reconnectStorm;
  out.push({
    figure: `reconnect storm of ${storm.agents ?? '?'}`,
    target: '0 errors; every stored message delivered',
    measured:
      storm.agents === undefined
        ? 'n/a'
        : `${storm.errors} errors, ${storm.missing} missing, ${storm.duplicates} duplicates; all hello'd in ${storm.allHelloedMs} ms, ${describeDrain(storm)}`,
    baseline: '—',
    ratio: '—',
    met:
      storm.agents === undefined
        ? undefined
        : storm.errors === 0 && storm.missing === 0 && typeof storm.allDrainedMs === 'number',
  });
  return out;
}
