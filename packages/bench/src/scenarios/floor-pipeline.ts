/**
 * The floor pipeline: the same pushes, from the same generator, to the same fleets, through
 * the push path's I/O with none of Herald's work — a bare node:http endpoint (GetItem,
 * PutItem, NATS publish, 201; see floor-endpoint-process) and the bare uWS server (NATS →
 * notification frame, acks deleted in batches; see bare-uws-server-process). What its two
 * processes spend per push is the least any Node implementation of this path pays on this
 * machine, so the CPU and latency targets are read against it in the same run.
 */
import type { BenchEnvironment, Fleet } from '../bench-environment';
import { subscriptionsOf } from '../load/fleet-operations';
import type { ProbedProcess } from '../processes/herald-node';
import type { IpcChannel } from '../processes/ipc-channel';
import type { FloorPipeline } from '../results';
import { perPush, runPushStep } from './push-step';

export interface FloorOptions {
  readonly env: BenchEnvironment;
  readonly generator: IpcChannel;
  readonly fleets: Fleet[];
  /** The floor endpoint and its origin (the VAPID audience the generator signs for). */
  readonly endpoint: ProbedProcess;
  readonly audience: string;
  /** The bare uWS server holding the group's agents. */
  readonly connection: ProbedProcess;
  readonly group: string;
  readonly rate: number;
  readonly count: number;
}

export async function measureFloorPipeline(o: FloorOptions): Promise<FloorPipeline> {
  await o.connection.ipc.request('join-floor', {
    natsUrl: o.env.natsUrl,
    dynamoDbEndpoint: o.env.dynamoDbEndpoint,
  });
  const subscriptions = await subscriptionsOf(o.fleets, o.group, 'v2');
  await o.generator.request('set-subscriptions', { set: 'floor', subscriptions });
  const step = {
    env: o.env,
    generator: o.generator,
    fleets: o.fleets,
    endpoint: o.endpoint,
    connections: [o.connection],
    audience: o.audience,
    subscriptionSet: 'floor',
    rate: o.rate,
  };
  // Herald's nodes are warm by the time its target-rate step runs; so is the floor.
  const warmUp = Math.ceil(o.count / 4);
  await runPushStep({ ...step, count: warmUp, offset: 0 });
  const m = await runPushStep({ ...step, count: o.count, offset: warmUp });
  return {
    rate: o.rate,
    agents: subscriptions.length,
    sent: m.sent,
    accepted: m.accepted,
    delivered: m.delivered,
    latency: m.latency,
    ...perPush(m),
  };
}
