/* eslint-disable no-console -- a command-line benchmark: printing its results is its job */
// CPU per PutItem (and GetItem) through the AWS SDK and through the wire client, in one process against
// one DynamoDB Local (a separate JVM, so its CPU is not counted). Rounds alternate between
// the two clients so that drift in the machine's load affects both alike.
//
//   pnpm -F @herald/storage-dynamodb bench:put-item [calls per round] [concurrency]
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@herald/core';
import { startDynamoDbLocal } from '@herald/testkit';
import { createTables } from '../src/create-tables';
import { createDynamoDbClient, createWireClient } from '../src/dynamodb-client';

const CALLS = Number(process.argv[2] ?? 2_000);
const CONCURRENCY = Number(process.argv[3] ?? 8);
const ROUNDS = 5;
const WARM_UP_CALLS = 1_000;

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

type Call = (i: number) => Promise<unknown>;

/** CPU µs (user + system) and wall µs per call for `calls` puts, `CONCURRENCY` at a time. */
async function measure(call: Call, calls: number): Promise<{ cpuUs: number; wallUs: number }> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls) await call(next++);
  };
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cpu = process.cpuUsage(cpuStart);
  const wallUs = Number(process.hrtime.bigint() - wallStart) / 1_000;
  return { cpuUs: (cpu.user + cpu.system) / calls, wallUs: wallUs / calls };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const server = await startDynamoDbLocal();
  const tables = { routerTable: 'bench_router', messageTable: 'bench_message' };
  const options = { endpoint: server.endpoint, ...tables, log: silent };
  await createTables(options);
  const sdk = createDynamoDbClient(options);
  const wire = createWireClient(options);
  // The same item shape as a stored notification with data, about 4 KB of payload.
  const data = 'x'.repeat(4_096);
  const item = (i: number) => ({
    uaid: { S: 'bench0000000000000000000000000000' },
    sk: { S: `02:${String(i).padStart(16, '0')}:00000000:bench` },
    message_id: { S: `m${i}` },
    channel_id: { S: 'c0a80c0e-0000-4000-8000-000000000000' },
    ttl: { N: '3600' },
    received_at: { N: String(Date.now()) },
    urgency: { S: 'normal' },
    expiry: { N: String(Math.floor(Date.now() / 1000) + 3600) },
    data: { S: data },
    headers: { M: { encoding: { S: 'aes128gcm' } } },
  });
  const key = { uaid: { S: 'bench0000000000000000000000000000' }, sk: { S: 'x' } };
  const pairs: Array<{ operation: string; sdk: Call; wire: Call }> = [
    {
      operation: 'PutItem (4 KB item)',
      sdk: (i) => sdk.send(new PutItemCommand({ TableName: tables.messageTable, Item: item(i) })),
      wire: (i) => wire.send('PutItem', { TableName: tables.messageTable, Item: item(i) }),
    },
    {
      operation: 'GetItem (miss)',
      sdk: () =>
        sdk.send(
          new GetItemCommand({ TableName: tables.messageTable, Key: key, ConsistentRead: true }),
        ),
      wire: () =>
        wire.send('GetItem', { TableName: tables.messageTable, Key: key, ConsistentRead: true }),
    },
  ];

  try {
    console.log(
      `DynamoDB Local, node ${process.version}, ${ROUNDS} alternating rounds of ${CALLS} calls, ${CONCURRENCY} in flight; CPU = user + system of this process`,
    );
    for (const pair of pairs) {
      await measure(pair.sdk, WARM_UP_CALLS);
      await measure(pair.wire, WARM_UP_CALLS);
      const sdkRounds: Array<{ cpuUs: number; wallUs: number }> = [];
      const wireRounds: Array<{ cpuUs: number; wallUs: number }> = [];
      for (let round = 0; round < ROUNDS; round++) {
        sdkRounds.push(await measure(pair.sdk, CALLS));
        wireRounds.push(await measure(pair.wire, CALLS));
      }
      const sdkCpu = median(sdkRounds.map((r) => r.cpuUs));
      const wireCpu = median(wireRounds.map((r) => r.cpuUs));
      console.log(pair.operation);
      console.log(describe('  AWS SDK v3', sdkRounds));
      console.log(describe('  wire client', wireRounds));
      console.log(`  ratio         ${(sdkCpu / wireCpu).toFixed(1)}× less CPU per call`);
    }
  } finally {
    sdk.destroy();
    wire.destroy();
    await server.stop();
  }
}

function describe(name: string, rounds: Array<{ cpuUs: number; wallUs: number }>): string {
  const cpu = rounds.map((r) => r.cpuUs);
  const wall = median(rounds.map((r) => r.wallUs));
  return `${name.padEnd(14)} CPU µs/call median ${median(cpu).toFixed(0).padStart(4)} (rounds ${cpu.map((v) => v.toFixed(0)).join(', ')}), wall µs/call ${wall.toFixed(0)}`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
