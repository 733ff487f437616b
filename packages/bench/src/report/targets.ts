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

/** The floor pipeline's readings of a run, labelled: before and after Herald's push scenarios. */
export function floorReadings(r: BenchResults): { when: string; floor: FloorPipeline }[] {
  return (
    [
      ['before Herald', r.baselines.floorPipeline],
      ['after Herald', r.baselines.floorPipelineAfter],
    ] as const
  ).flatMap(([when, floor]) => (floor === undefined ? [] : [{ when, floor }]));
}

type FloorFigure = (f: FloorPipeline) => number;

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

  // Herald is read against the mean of the floor's readings; a target is beyond the floor
  // only when every reading is beyond it (one reading may have caught the machine slow).
  const floors = floorReadings(r).map((f) => f.floor);
  const floorMean = (pick: FloorFigure): number | undefined =>
    floors.length === 0 ? undefined : floors.reduce((sum, f) => sum + pick(f), 0) / floors.length;
  const floorBeyond = (pick: FloorFigure, limit: number): boolean | undefined =>
    floors.length === 0 ? undefined : floors.every((f) => pick(f) > limit);
  const meanOf = floors.length > 1 ? `, mean of ${floors.length}` : '';
  const floorNote =
    floors.length === 0
      ? ''
      : ` (floor pipeline, ${floors[0]!.rate}/s${meanOf && `${meanOf} readings`})`;
  const endpointFloor = floorMean((f) => f.endpointCpuUsPerPush);
  const connectionFloor = floorMean((f) => f.connectionCpuUsPerPush);
  const hit = r.endpointCpu.variants.find((v) => v.name === 'v2-cache-hit')?.cpuUsPerAcceptedPush;
  out.push({
    figure: 'endpoint CPU per accepted push, VAPID cache hit',
    target: '≤ 150 µs',
    measured: `${fixed(hit)} µs`,
    baseline: endpointFloor === undefined ? '—' : `${fixed(endpointFloor)} µs${floorNote}`,
    ratio: ratio(hit, endpointFloor),
    met: hit === undefined ? undefined : hit <= 150,
    floorBeyondTarget: floorBeyond((f) => f.endpointCpuUsPerPush, 150),
  });

  const atTarget = r.pushThroughput.steps.find((s) => s.rate === targetRate);
  const connectionCpu = atTarget?.connectionCpuUsPerPush;
  out.push({
    figure: `connection-node CPU per delivered and acked push (at ${targetRate}/s)`,
    target: '≤ 40 µs',
    measured: `${fixed(connectionCpu)} µs`,
    baseline: connectionFloor === undefined ? '—' : `${fixed(connectionFloor)} µs${floorNote}`,
    ratio: ratio(connectionCpu, connectionFloor),
    met: connectionCpu === undefined ? undefined : connectionCpu <= 40,
    floorBeyondTarget: floorBeyond((f) => f.connectionCpuUsPerPush, 40),
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
  const floorLatency = (pick: FloorFigure): string =>
    floors.length === 0 ? '' : `; floor pipeline ${fixed(floorMean(pick), 2)} ms${meanOf}`;
  out.push({
    figure: `end-to-end latency p50 at ${targetRate}/s with ${agents} connected`,
    target: '≤ 5 ms',
    measured: `${fixed(latency?.p50Ms, 2)} ms`,
    baseline: `${fixed(baselineP50, 2)} ms (NATS + PutItem + uWS p50${floorLatency((f) => f.latency.p50Ms)})`,
    ratio: ratio(latency?.p50Ms, baselineP50),
    met: latency === undefined ? undefined : latency.p50Ms <= 5,
    floorBeyondTarget: floorBeyond((f) => f.latency.p50Ms, 5),
  });
  out.push({
    figure: `end-to-end latency p99 at ${targetRate}/s with ${agents} connected`,
    target: '≤ 25 ms and ≤ 3 × baselines',
    measured: `${fixed(latency?.p99Ms, 2)} ms`,
    baseline: `${fixed(baselineP99, 2)} ms (NATS + PutItem + uWS p99${floorLatency((f) => f.latency.p99Ms)})`,
    ratio: ratio(latency?.p99Ms, baselineP99),
    met:
      latency === undefined || !Number.isFinite(baselineP99)
        ? undefined
        : latency.p99Ms <= 25 && latency.p99Ms <= 3 * baselineP99,
    floorBeyondTarget: floorBeyond((f) => f.latency.p99Ms, 25),
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
