import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@herald/core';
import { DynamoDbWireClient } from './wire/dynamodb-wire-client';
import type { CallObserver } from './wire/dynamodb-wire-client';

/** Where the tables live and how long a request may take. Shared by every entry point. */
export interface DynamoDbConnectionOptions {
  /**
   * An endpoint override (DynamoDB Local, dynalite). Unset means AWS, with the SDK's
   * standard credential chain.
   */
  readonly endpoint?: string;
  /** The tables' region: required for AWS; `us-east-1` with an endpoint override. */
  readonly region?: string;
  /** Upper bound on one HTTP attempt (connect, queueing and response). Default 3000. */
  readonly requestTimeoutMs?: number;
  /**
   * Open connections to DynamoDB at most, per set of stores; calls beyond it queue.
   * Default 96 (`DEFAULT_MAX_SOCKETS`).
   */
  readonly maxSockets?: number;
}

/** The options of `createDynamoDbStores` and `createTables`. */
export interface DynamoDbStoresOptions extends DynamoDbConnectionOptions {
  readonly routerTable: string;
  readonly messageTable: string;
  readonly log: Logger;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;

/**
 * The client of the data path (every store call): Herald's own JSON-protocol client, see
 * docs/adr/0005-dynamodb-wire-client.md. Every attempt is bounded, so a storage outage
 * surfaces as a `StorageUnavailableError` instead of a hung request.
 */
export function createWireClient(
  options: DynamoDbConnectionOptions,
  observe?: CallObserver,
): DynamoDbWireClient {
  return new DynamoDbWireClient({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.region !== undefined ? { region: options.region } : {}),
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...(options.maxSockets !== undefined ? { maxSockets: options.maxSockets } : {}),
    ...(observe !== undefined ? { observe } : {}),
  });
}

/** Three attempts, as the wire client makes. */
const SDK_MAX_ATTEMPTS = 3;

/**
 * The AWS SDK client, for the control plane only (`createTables`: CreateTable,
 * DescribeTable, UpdateTimeToLive), which runs once at deploy time and is not worth a
 * hand-written protocol.
 */
export function createDynamoDbClient(options: DynamoDbConnectionOptions): DynamoDBClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const local = options.endpoint !== undefined;
  return new DynamoDBClient({
    maxAttempts: SDK_MAX_ATTEMPTS,
    requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: requestTimeoutMs },
    ...(local
      ? {
          endpoint: options.endpoint,
          region: options.region ?? 'us-east-1',
          // Local servers accept any signature, but the SDK refuses to sign without
          // credentials; fixed ones keep a developer's AWS profile out of the way.
          // DynamoDB Local rejects key ids that are not purely alphanumeric.
          credentials: { accessKeyId: 'heraldlocal', secretAccessKey: 'heraldlocal' },
        }
      : options.region !== undefined
        ? { region: options.region }
        : {}),
  });
}
