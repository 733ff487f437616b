/**
 * The least a Node process can do to talk to DynamoDB: one JSON POST per call over the
 * same keep-alive HTTP/1.1 transport Herald's wire client uses, with no retries and no
 * signing (DynamoDB Local reads the access key from the Authorization header but does
 * not check the signature). The floor pipeline's processes use it so that their storage
 * I/O has the same shape and the same cost as Herald's (same calls, same proxy, same
 * pool size) with none of the product's work around it.
 */
import { HttpTransport } from '@herald/storage-dynamodb';

/** Herald's default pool (`HERALD_DYNAMODB_MAX_SOCKETS`), so both sides queue alike. */
const MAX_SOCKETS = 96;
const REQUEST_TIMEOUT_MS = 10_000;

export type AttributeValue = { S: string } | { N: string };
export type Item = Record<string, AttributeValue>;

export class FloorDynamoDb {
  private readonly transport: HttpTransport;
  private readonly host: string;
  private readonly authorization: string;

  constructor(endpoint: string, region = 'us-east-1') {
    const url = new URL(endpoint);
    this.transport = new HttpTransport({
      endpoint: url,
      maxSockets: MAX_SOCKETS,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      connectTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    this.host = url.host;
    this.authorization =
      `AWS4-HMAC-SHA256 Credential=bench/20260101/${region}/dynamodb/aws4_request, ` +
      `SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`;
  }

  /** One call (`operation` is the X-Amz-Target suffix: PutItem, GetItem, …); resolves to the parsed answer. */
  async call(operation: string, input: object): Promise<Record<string, unknown>> {
    const response = await this.transport.post(
      {
        host: this.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20260101T000000Z',
        authorization: this.authorization,
      },
      Buffer.from(JSON.stringify(input), 'utf8'),
    );
    if (response.statusCode !== 200) {
      throw new Error(`${operation}: ${response.statusCode} ${response.body}`);
    }
    return JSON.parse(response.body) as Record<string, unknown>;
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
    this.transport.destroy();
  }
}

/** The table both floor processes use; Herald's tables are left alone. */
export const FLOOR_TABLE = 'bench_floor';
/** The NATS subject the floor endpoint publishes each push on. */
export const FLOOR_SUBJECT = 'bench.floor.deliver';
/** The floor connection server batches ack deletes like a connection node does. */
export const FLOOR_DELETE_WINDOW_MS = 100;
export const FLOOR_DELETE_BATCH = 25;
