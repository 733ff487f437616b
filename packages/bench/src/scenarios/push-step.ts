/**
 * One measured burst of pushes: the generator pre-builds `count` pushes, the Herald
 * processes' CPU clocks and the DynamoDB request counters are read, the pushes go out
 * open-loop at `rate`, the fleets' receipts are matched to them, and the clocks are
 * read again once the acks have settled.
 */
import type { BenchEnvironment, Fleet } from '../bench-environment';
import { collectReceipts } from '../load/fleet-operations';
import type { SentPush } from '../load/push-generator-process';
import type { IpcChannel } from '../processes/ipc-channel';
import type { ProbedProcess } from '../processes/herald-node';
import { round, summarise, type LatencySummary } from '../stats';

export interface PushStepOptions {
  readonly env: BenchEnvironment;
  readonly generator: IpcChannel;
  readonly fleets: Fleet[];
  readonly endpoint: ProbedProcess;
  readonly connections: ProbedProcess[];
  readonly audience: string;
  readonly subscriptionSet: string;
  readonly rate: number;
  readonly count: number;
  /** Rotates which subscriptions this burst starts at. */
  readonly offset: number;
  readonly bodyBytes?: number;
  readonly vapid?: 'hit' | 'miss';
  /** Called between the first clock reading and the burst (e.g. to start profiling). */
  readonly beforeBurst?: () => Promise<void>;
  readonly afterBurst?: () => Promise<void>;
}

export interface PushStepMeasure {
  readonly sent: number;
  readonly accepted: number;
  readonly errors: number;
  readonly statusCounts: Record<string, number>;
  readonly delivered: number;
  readonly acceptedPerSecond: number;
  readonly deliveredPerSecond: number;
  readonly latency: LatencySummary;
  readonly endpointCpuUs: number;
  readonly connectionCpuUs: number;
  readonly dynamoDbRequests: Record<string, number>;
  readonly dynamoDbTotal: number;
  readonly verifiedDecryptions: number;
  readonly verifyFailures: number;
}

/** A burst's costs per push: CPU per accepted (endpoint) or delivered (connection) push. */
export function perPush(m: PushStepMeasure): {
  endpointCpuUsPerPush: number;
  connectionCpuUsPerPush: number;
  dynamoDbRequestsPerPush: number;
} {
  return {
    endpointCpuUsPerPush: round(m.endpointCpuUs / Math.max(1, m.accepted), 1),
    connectionCpuUsPerPush: round(m.connectionCpuUs / Math.max(1, m.delivered), 1),
    dynamoDbRequestsPerPush: round(m.dynamoDbTotal / Math.max(1, m.delivered), 3),
  };
}

const ACK_SETTLE_MS = 500;
const RECEIPT_QUIET_MS = 3_000;

function cpuUs(p: { cpu: { user: number; system: number } }): number {
  return p.cpu.user + p.cpu.system;
}

export async function runPushStep(o: PushStepOptions): Promise<PushStepMeasure> {
  await o.generator.request('prepare', {
    set: o.subscriptionSet,
    count: o.count,
    offset: o.offset,
    bodyBytes: o.bodyBytes ?? 64,
    vapid: o.vapid ?? 'hit',
    vapidKeys: o.env.vapidKeys(),
    audience: o.audience,
  });
  const before = await Promise.all([o.endpoint.probe(), ...o.connections.map((c) => c.probe())]);
  const dynamoBefore = await o.env.dynamoDbCounts();
  await o.beforeBurst?.();
  const { sent } = await o.generator.request<{ sent: SentPush[] }>(
    'run',
    { rate: o.rate },
    600_000,
  );
  const acceptedIds = new Set(sent.filter((s) => s[2] === 201).map((s) => s[0]));
  const receipts = await collectReceipts(o.fleets, acceptedIds, RECEIPT_QUIET_MS);
  await new Promise((resolve) => setTimeout(resolve, ACK_SETTLE_MS));
  await o.afterBurst?.();
  const after = await Promise.all([o.endpoint.probe(), ...o.connections.map((c) => c.probe())]);
  const dynamoAfter = await o.env.dynamoDbCounts();

  const statusCounts: Record<string, number> = {};
  const latenciesMs: number[] = [];
  let firstNs = Infinity;
  let lastAnswerNs = 0;
  let lastReceiptNs = 0;
  for (const [id, scheduledNs, status, answeredNs] of sent) {
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    firstNs = Math.min(firstNs, scheduledNs);
    lastAnswerNs = Math.max(lastAnswerNs, answeredNs);
    const receivedNs = status === 201 ? receipts.byId.get(id) : undefined;
    if (receivedNs !== undefined) {
      latenciesMs.push((receivedNs - scheduledNs) / 1e6);
      lastReceiptNs = Math.max(lastReceiptNs, receivedNs);
    }
  }
  const nominalSeconds = o.count / o.rate;
  const dynamoDbRequests: Record<string, number> = {};
  for (const [operation, n] of Object.entries(dynamoAfter)) {
    const delta = n - (dynamoBefore[operation] ?? 0);
    if (delta > 0) dynamoDbRequests[operation] = delta;
  }
  const endpointBefore = before[0];
  const endpointAfter = after[0];
  if (endpointBefore === undefined || endpointAfter === undefined)
    throw new Error('no endpoint probe');
  const connectionCpuUs = after
    .slice(1)
    .reduce((sum, p, i) => sum + cpuUs(p) - cpuUs(before[i + 1] ?? p), 0);
  return {
    sent: sent.length,
    accepted: acceptedIds.size,
    errors: sent.length - acceptedIds.size,
    statusCounts,
    delivered: latenciesMs.length,
    acceptedPerSecond: round(
      acceptedIds.size / Math.max(nominalSeconds, (lastAnswerNs - firstNs) / 1e9),
      1,
    ),
    deliveredPerSecond: round(
      latenciesMs.length / Math.max(nominalSeconds, (lastReceiptNs - firstNs) / 1e9),
      1,
    ),
    latency: summarise(latenciesMs),
    endpointCpuUs: cpuUs(endpointAfter) - cpuUs(endpointBefore),
    connectionCpuUs,
    dynamoDbRequests,
    dynamoDbTotal: Object.values(dynamoDbRequests).reduce((a, b) => a + b, 0),
    verifiedDecryptions: receipts.verified,
    verifyFailures: receipts.verifyFailures,
  };
}
