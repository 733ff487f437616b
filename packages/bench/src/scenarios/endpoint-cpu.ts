/**
 * Scenario 3: the endpoint node's CPU per accepted push for the variants that change
 * its work: VAPID cache hit vs miss (every token distinct, so every push verifies an
 * ES256 signature), a 4 KB body, and v1 (unrestricted) vs v2 (key-restricted) tokens.
 */
import type { EndpointCpuVariant } from '../results';
import { round } from '../stats';
import { runPushStep, type PushStepOptions } from './push-step';

export interface EndpointCpuOptions extends Omit<
  PushStepOptions,
  'rate' | 'count' | 'offset' | 'subscriptionSet'
> {
  readonly rate: number;
  readonly pushes: number;
  /** Generator subscription sets holding v2 and v1 endpoints. */
  readonly v2Set: string;
  readonly v1Set: string;
  readonly log: (line: string) => void;
}

const VARIANTS: {
  name: string;
  description: string;
  set: 'v1' | 'v2';
  bodyBytes: number;
  vapid: 'hit' | 'miss';
}[] = [
  {
    name: 'v2-cache-hit',
    description: 'v2 token, 64 B payload, one VAPID token for all',
    set: 'v2',
    bodyBytes: 64,
    vapid: 'hit',
  },
  {
    name: 'v2-cache-miss',
    description: 'v2 token, 64 B payload, a distinct VAPID token per push',
    set: 'v2',
    bodyBytes: 64,
    vapid: 'miss',
  },
  {
    name: 'v2-4kb-cache-hit',
    description: 'v2 token, 4 KB payload, one VAPID token',
    set: 'v2',
    bodyBytes: 4096,
    vapid: 'hit',
  },
  {
    name: 'v1-cache-hit',
    description: 'v1 token (no key restriction), 64 B payload, one VAPID token',
    set: 'v1',
    bodyBytes: 64,
    vapid: 'hit',
  },
];

export async function measureEndpointCpu(o: EndpointCpuOptions): Promise<EndpointCpuVariant[]> {
  const out: EndpointCpuVariant[] = [];
  let offset = 0;
  for (const variant of VARIANTS) {
    // Each variant starts from a collected heap, so the old-generation work left by the
    // window before (the throughput steps' overload, the previous variant) is not billed
    // to whichever variant comes next. Collections its own pushes cause still count.
    await o.endpoint.probe(true);
    const m = await runPushStep({
      ...o,
      subscriptionSet: variant.set === 'v2' ? o.v2Set : o.v1Set,
      rate: o.rate,
      count: o.pushes,
      offset,
      bodyBytes: variant.bodyBytes,
      vapid: variant.vapid,
    });
    offset += o.pushes;
    const result: EndpointCpuVariant = {
      name: variant.name,
      description: variant.description,
      pushes: m.sent,
      accepted: m.accepted,
      cpuUsPerAcceptedPush: round(m.endpointCpuUs / Math.max(1, m.accepted), 1),
      latency: m.latency,
    };
    o.log(
      `  ${variant.name}: ${m.accepted}/${m.sent} accepted, ${result.cpuUsPerAcceptedPush} µs endpoint CPU per push`,
    );
    out.push(result);
  }
  return out;
}
