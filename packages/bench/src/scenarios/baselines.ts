/**
 * The same-run baselines for the push path's pieces, each driven open-loop at the
 * target rate: NATS publish→receive (two connections through the run's nats-server),
 * DynamoDB Local PutItem (through the same counting proxy Herald uses, with an item
 * shaped like a stored push), and bare uWS send→client-receive (see idle-density).
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { connect } from '@nats-io/transport-node';
import { nowNs, runOpenLoop } from '../load/open-loop';
import { summarise, type LatencySummary } from '../stats';

const SETTLE_TIMEOUT_MS = 10_000;

export async function natsLatency(
  url: string,
  rate: number,
  count: number,
): Promise<LatencySummary> {
  const publisher = await connect({ servers: url, name: 'bench-publisher' });
  const subscriber = await connect({ servers: url, name: 'bench-subscriber' });
  try {
    const samples: number[] = [];
    let done: () => void = () => undefined;
    const allReceived = new Promise<void>((resolve) => (done = resolve));
    subscriber.subscribe('bench.latency', {
      callback: (_error, message) => {
        const sentNs = Number(message.string().split(' ')[0]);
        if (sentNs === 0) return;
        samples.push((nowNs() - sentNs) / 1e6);
        if (samples.length === count) done();
      },
    });
    await subscriber.flush();
    // A payload the size of a deliver command for a small push.
    const padding = 'x'.repeat(600);
    // A warm-up of a quarter of the samples first, discarded: JIT and connection set-up.
    const warmUp = Math.ceil(count / 4);
    await runOpenLoop(rate, warmUp, () => publisher.publish('bench.latency', `0 ${padding}`));
    await subscriber.flush();
    samples.length = 0;
    await runOpenLoop(rate, count, () =>
      publisher.publish('bench.latency', `${nowNs()} ${padding}`),
    );
    await Promise.race([
      allReceived,
      new Promise((resolve) => setTimeout(resolve, SETTLE_TIMEOUT_MS)),
    ]);
    return summarise(samples);
  } finally {
    await Promise.allSettled([publisher.close(), subscriber.close()]);
  }
}

export async function putItemLatency(
  endpoint: string,
  table: string,
  rate: number,
  count: number,
): Promise<LatencySummary & { errors: number }> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const samples: number[] = [];
    let errors = 0;
    const pending: Promise<void>[] = [];
    const data = randomBytes(150).toString('base64url');
    // Warm-up (a quarter of the samples, discarded): DynamoDB Local's JIT and the SDK's first calls.
    const warmUp = Math.ceil(count / 4);
    await runOpenLoop(rate, count + warmUp, (i, scheduledNs) => {
      const record = i >= warmUp;
      const nowMs = Date.now();
      pending.push(
        client
          .send(
            new PutItemCommand({
              TableName: table,
              Item: {
                uaid: { S: randomBytes(16).toString('hex') },
                sk: {
                  S: `02:${String(nowMs * 1000 + i).padStart(16, '0')}:00000000-0000-4000-8000-000000000000`,
                },
                message_id: { S: randomBytes(60).toString('base64url') },
                channel_id: { S: '00000000-0000-4000-8000-000000000000' },
                ttl: { N: '60' },
                received_at: { N: String(nowMs) },
                urgency: { S: 'normal' },
                data: { S: data },
                headers: { M: { encoding: { S: 'aes128gcm' } } },
                expiry: { N: String(Math.floor(nowMs / 1000) + 60) },
              },
            }),
          )
          .then(
            () => void (record && samples.push((nowNs() - scheduledNs) / 1e6)),
            () => void (record && (errors += 1)),
          ),
      );
    });
    await Promise.all(pending);
    return { ...summarise(samples), errors };
  } finally {
    client.destroy();
  }
}
