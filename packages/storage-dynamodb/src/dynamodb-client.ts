import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '@herald/core';

/** Where the tables live and how long a request may take. Shared by every entry point. */
export interface DynamoDbConnectionOptions {
  /**
   * An endpoint override (DynamoDB Local, dynalite). Unset means AWS, with the SDK's
   * standard credential chain and region resolution.
   */
  readonly endpoint?: string;
  readonly region?: string;
  /** Upper bound on one HTTP attempt (connect plus response). Default 3000. */
  readonly requestTimeoutMs?: number;
}

/** The options of `createDynamoDbStores` and `createTables`. */
export interface DynamoDbStoresOptions extends DynamoDbConnectionOptions {
  readonly routerTable: string;
  readonly messageTable: string;
  readonly log: Logger;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;

/** Connecting to a healthy endpoint is fast; a long connect means the host is gone. */
const MAX_CONNECT_TIMEOUT_MS = 1_000;

/**
 * Three attempts in total: enough to ride out a throttled or dropped request, short
 * enough that a push request still gets its 503 within a few seconds when DynamoDB is down.
 */
const MAX_ATTEMPTS = 3;

/**
 * Builds the one SDK client an adapter instance uses. Every attempt is bounded, so a
 * storage outage surfaces as a `StorageUnavailableError` instead of a hung request.
 */
export function createDynamoDbClient(options: DynamoDbConnectionOptions): DynamoDBClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const local = options.endpoint !== undefined;
  return new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: {
      requestTimeout: requestTimeoutMs,
      connectionTimeout: Math.min(requestTimeoutMs, MAX_CONNECT_TIMEOUT_MS),
    },
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
