/** The two charts of a run: memory per connection vs connections, latency vs push rate. */
import type { BenchResults } from '../results';
import { renderLineChart } from './svg-chart';

export function renderCharts(r: BenchResults): { memory: string; latency: string } {
  const single = r.idleDensity.singleProcess;
  const multi = r.idleDensity.reusePort;
  const memory = renderLineChart({
    title: 'Idle memory per connection (after forced GC)',
    xLabel: 'connections held',
    yLabel: 'bytes per connection',
    series: [
      {
        name: 'Herald RSS, 1 process',
        points: (single?.herald ?? []).map((s) => [s.connections, s.rssPerConnectionBytes]),
      },
      {
        name: 'bare uWS RSS, 1 process',
        points: (single?.bareUws ?? []).map((s) => [s.connections, s.rssPerConnectionBytes]),
      },
      {
        name: 'Herald JS heap, 1 process',
        points: (single?.herald ?? []).map((s) => [s.connections, s.heapPerConnectionBytes]),
        dashed: true,
      },
      {
        name: `Herald RSS, ${multi?.processes ?? '?'} processes`,
        points: (multi?.herald ?? []).map((s) => [s.connections, s.rssPerConnectionBytes]),
      },
      {
        name: `bare uWS RSS, ${multi?.processes ?? '?'} proc.`,
        points: (multi?.bareUws ?? []).map((s) => [s.connections, s.rssPerConnectionBytes]),
      },
    ],
    references: [{ label: 'target 4 KB', y: 4096 }],
  });
  const steps = r.pushThroughput.steps;
  const b = r.baselines;
  const baselineP99 =
    (b.natsPublishReceive?.p99Ms ?? NaN) +
    (b.dynamoDbPutItem?.p99Ms ?? NaN) +
    (b.uwsSendReceive?.p99Ms ?? NaN);
  const latency = renderLineChart({
    title: `POST → receipt latency, ${r.pushThroughput.agents} agents connected`,
    xLabel: 'offered pushes per second (log scale)',
    yLabel: 'milliseconds',
    logX: true,
    series: [
      { name: 'p50', points: steps.map((s) => [s.rate, s.latency.p50Ms]) },
      { name: 'p95', points: steps.map((s) => [s.rate, s.latency.p95Ms]) },
      { name: 'p99', points: steps.map((s) => [s.rate, s.latency.p99Ms]) },
      {
        name: 'baselines p99 sum',
        points: Number.isFinite(baselineP99) ? [[b.rate, baselineP99]] : [],
      },
    ],
    references: [
      { label: 'p99 target 25 ms', y: 25 },
      { label: 'p50 target 5 ms', y: 5 },
    ],
  });
  return { memory, latency };
}
