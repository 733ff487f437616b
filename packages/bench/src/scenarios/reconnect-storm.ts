/**
 * Scenario 4: agents go away, pushes for them are stored, then every one of them
 * reconnects at the same instant with its uaid. Measured: time until all are
 * re-hello'd, time until every agent holds all its stored notifications, and errors
 * (failed connects or hellos, missing or duplicate notifications), which must be 0.
 */
import type { BenchEnvironment, Fleet } from '../bench-environment';
import { subscriptionsOf } from '../load/fleet-operations';
import type { SentPush } from '../load/push-generator-process';
import type { IpcChannel } from '../processes/ipc-channel';
import type { ProbedProcess } from '../processes/herald-node';
import { describeDrain } from '../report/describe-drain';
import type { StormResult } from '../results';

export interface StormOptions {
  readonly env: BenchEnvironment;
  readonly generator: IpcChannel;
  readonly fleets: Fleet[];
  readonly connections: ProbedProcess[];
  readonly group: string;
  readonly url: string;
  readonly audience: string;
  readonly agents: number;
  readonly messagesPerAgent: number;
  /** How fast the stored pushes are sent beforehand (not part of the measurement). */
  readonly storeRate: number;
  readonly log: (line: string) => void;
}

/** How long the agents wait for their stored notifications after reconnecting. */
const DRAIN_TIMEOUT_MS = 120_000;

interface FleetStorm {
  agents: number;
  helloed: number;
  helloMs: number;
  /** null: not drained within the timeout. */
  drainedMs: number | null;
  received: number;
  duplicates: number;
  missing: number;
  errors: number;
  errorSamples: string[];
}

export async function runReconnectStorm(o: StormOptions): Promise<StormResult> {
  const perFleet = Math.ceil(o.agents / o.fleets.length);
  await Promise.all(
    o.fleets.map((f) => f.ipc.request('disconnect', { group: o.group, count: perFleet })),
  );
  const subscriptions = await subscriptionsOf(o.fleets, o.group, 'v2', perFleet);
  await o.generator.request('set-subscriptions', { set: 'storm', subscriptions });
  const storedPushes = subscriptions.length * o.messagesPerAgent;
  await o.generator.request('prepare', {
    set: 'storm',
    count: storedPushes,
    offset: 0,
    vapidKeys: o.env.vapidKeys(),
    audience: o.audience,
  });
  const { sent } = await o.generator.request<{ sent: SentPush[] }>(
    'run',
    { rate: o.storeRate },
    600_000,
  );
  const storedAccepted = sent.filter((s) => s[2] === 201).length;
  o.log(
    `  ${storedAccepted}/${storedPushes} pushes stored for ${subscriptions.length} disconnected agents`,
  );
  // Drop receipts of anything that raced the disconnects, so only the storm's are counted.
  await Promise.all(o.fleets.map((f) => f.ipc.request('take-receipts')));

  const cpuBefore = await Promise.all(o.connections.map((c) => c.probe()));
  const dynamoBefore = await o.env.dynamoDbCounts();
  const outcomes = await Promise.all(
    o.fleets.map((f) =>
      f.ipc.request<FleetStorm>(
        'reconnect',
        {
          group: o.group,
          count: perFleet,
          url: o.url,
          expectPerAgent: o.messagesPerAgent,
          timeoutMs: DRAIN_TIMEOUT_MS,
        },
        DRAIN_TIMEOUT_MS + 60_000,
      ),
    ),
  );
  const cpuAfter = await Promise.all(o.connections.map((c) => c.probe()));
  const dynamoAfter = await o.env.dynamoDbCounts();
  await Promise.all(o.fleets.map((f) => f.ipc.request('take-receipts')));

  const sum = (pick: (f: FleetStorm) => number): number =>
    outcomes.reduce((s, f) => s + pick(f), 0);
  const dynamoDbRequests: Record<string, number> = {};
  for (const [operation, n] of Object.entries(dynamoAfter)) {
    const delta = n - (dynamoBefore[operation] ?? 0);
    if (delta > 0) dynamoDbRequests[operation] = delta;
  }
  const result: StormResult = {
    agents: sum((f) => f.agents),
    storedPushes,
    storedAccepted,
    helloed: sum((f) => f.helloed),
    allHelloedMs: Math.round(Math.max(...outcomes.map((f) => f.helloMs))),
    allDrainedMs: outcomes.some((f) => f.drainedMs === null)
      ? null
      : Math.round(Math.max(...outcomes.map((f) => f.drainedMs ?? 0))),
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    received: sum((f) => f.received),
    missing: sum((f) => f.missing),
    duplicates: sum((f) => f.duplicates),
    errors: sum((f) => f.errors) + (storedPushes - storedAccepted),
    errorSamples: outcomes.flatMap((f) => f.errorSamples).slice(0, 5),
    connectionCpuMs: Math.round(
      cpuAfter.reduce(
        (s, p, i) =>
          s +
          p.cpu.user +
          p.cpu.system -
          ((cpuBefore[i]?.cpu.user ?? 0) + (cpuBefore[i]?.cpu.system ?? 0)),
        0,
      ) / 1000,
    ),
    dynamoDbRequests,
  };
  o.log(
    `  storm of ${result.agents}: all hello'd in ${result.allHelloedMs} ms, ${describeDrain(result)}, ` +
      `${result.received} received, ${result.missing} missing, ${result.duplicates} duplicates, ${result.errors} errors`,
  );
  return result;
}
