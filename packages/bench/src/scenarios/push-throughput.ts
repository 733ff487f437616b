/**
 * Scenario 2: pushes through the endpoint node to agents connected to one connection
 * node, at the profile's fixed rates, then doubling while the system keeps up. A step
 * is sustainable when every push was accepted and delivered and p99 stayed under a
 * second (beyond that the queue is growing, not the service keeping pace).
 */
import type { PushStep } from '../results';
import { perPush, runPushStep, type PushStepOptions } from './push-step';

const SUSTAINABLE_P99_MS = 1_000;

export interface ThroughputOptions extends Omit<PushStepOptions, 'rate' | 'count' | 'offset'> {
  readonly rates: readonly number[];
  readonly maxRate: number;
  readonly stepSeconds: number;
  readonly log: (line: string) => void;
}

export async function measurePushThroughput(
  o: ThroughputOptions,
): Promise<{ steps: PushStep[]; highestSustainableRate?: number }> {
  const steps: PushStep[] = [];
  let offset = 0;
  const runAt = async (rate: number): Promise<PushStep> => {
    const count = Math.max(1, Math.round(rate * o.stepSeconds));
    const m = await runPushStep({ ...o, rate, count, offset });
    offset += count;
    const sustainable =
      m.errors === 0 && m.delivered >= m.accepted && m.latency.p99Ms <= SUSTAINABLE_P99_MS;
    const step: PushStep = {
      rate,
      sent: m.sent,
      accepted: m.accepted,
      errors: m.errors,
      delivered: m.delivered,
      acceptedPerSecond: m.acceptedPerSecond,
      deliveredPerSecond: m.deliveredPerSecond,
      latency: m.latency,
      ...perPush(m),
      dynamoDbRequests: m.dynamoDbRequests,
      verifiedDecryptions: m.verifiedDecryptions,
      sustainable,
    };
    o.log(
      `  ${rate}/s: ${m.accepted}/${m.sent} accepted (${JSON.stringify(m.statusCounts)}), ${m.delivered} delivered, ` +
        `p50 ${m.latency.p50Ms} p99 ${m.latency.p99Ms} max ${m.latency.maxMs} ms, endpoint ${step.endpointCpuUsPerPush} µs, ` +
        `connection ${step.connectionCpuUsPerPush} µs, DynamoDB ${step.dynamoDbRequestsPerPush}/push ${JSON.stringify(m.dynamoDbRequests)}`,
    );
    steps.push(step);
    return step;
  };
  for (const rate of o.rates) await runAt(rate);
  let last = steps[steps.length - 1];
  while (last !== undefined && last.sustainable && last.rate * 2 <= o.maxRate)
    last = await runAt(last.rate * 2);
  const sustainable = steps.filter((s) => s.sustainable).map((s) => s.rate);
  return {
    steps,
    highestSustainableRate: sustainable.length > 0 ? Math.max(...sustainable) : undefined,
  };
}
