/**
 * The least a Node process can do to talk to DynamoDB: one JSON POST per call on a
 * keep-alive `node:http` agent, no retries, no signing (DynamoDB Local reads the access
 * key from the Authorization header but does not check the signature). The floor
 * pipeline's processes use it so that their storage I/O has the same shape as Herald's
 * (same calls, same proxy, same pool size) with none of the product's work around it.
 */
import { Agent, request } from 'node:http';

/** Herald's default pool (`HERALD_DYNAMODB_MAX_SOCKETS`), so both sides queue alike. */
const MAX_SOCKETS = 96;
const REQUEST_TIMEOUT_MS = 10_000;

export type AttributeValue = { S: string } | { N: string };
export type Item = Record<string, AttributeValue>;

export class FloorDynamoDb {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
  private readonly url: URL;
  private readonly authorization: string;

  constructor(endpoint: string, region = 'us-east-1') {
    this.url = new URL(endpoint);
    this.authorization =
      `AWS4-HMAC-SHA256 Credential=bench/20260101/${region}/dynamodb/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`;
  }

  /** One call (`operation` is the X-Amz-Target suffix: PutItem, GetItem, …); resolves to the parsed answer. */
  call(operation: string, input: object): Promise<Record<string, unknown>> {
    const body = JSON.stringify(input);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.url.hostname,
          port: this.url.port,
          path: '/',
          method: 'POST',
          agent: this.agent,
          timeout: REQUEST_TIMEOUT_MS,
          headers: {
            'Content-Type': 'application/x-amz-json-1.0',
            'Content-Length': Buffer.byteLength(body),
            'X-Amz-Target': `DynamoDB_20120810.${operation}`,
            'X-Amz-Date': '20260101T000000Z',
            Authorization: this.authorization,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 200) resolve(JSON.parse(text) as Record<string, unknown>);
            else reject(new Error(`${operation}: ${res.statusCode ?? 0} ${text}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${operation} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Creates the floor's table (hash `pk`, range `sk`, both strings) unless it exists. */
  async ensureTable(table: string): Promise<void> {
    try {
      await this.call('CreateTable', {
        TableName: table,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      });
    } catch (error) {
      if (!String(error).includes('ResourceInUseException')) throw error;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The table both floor processes use; Herald's tables are left alone. */
export const FLOOR_TABLE = 'bench_floor';
/** The NATS subject the floor endpoint publishes each push on. */
export const FLOOR_SUBJECT = 'bench.floor.deliver';
/** The floor connection server batches ack deletes like a connection node does. */
export const FLOOR_DELETE_WINDOW_MS = 100;
export const FLOOR_DELETE_BATCH = 25;
