import { CachedCredentials, LOCAL_CREDENTIALS, awsDefaultCredentials } from './aws-credentials';
import type { AwsCredentials } from './aws-credentials';
import { isRetryable, parseErrorResponse } from './dynamodb-wire-errors';
import { HttpTransport } from './http-transport';
import type { OperationInput, OperationName, OperationOutput } from './operations';
import { SigV4Signer } from './sigv4-signer';

/** Told about every call once it has settled, retries included. */
export type CallObserver = (operation: OperationName, seconds: number, error?: unknown) => void;

export interface DynamoDbWireClientOptions {
  /**
   * `http(s)://host:port` of a DynamoDB-compatible server (DynamoDB Local, dynalite),
   * signed with fixed local credentials. Absent: `https://dynamodb.<region>.amazonaws.com`
   * with the AWS SDK's standard credential chain.
   */
  readonly endpoint?: string;
  /**
   * The tables' region. Absent: `us-east-1` for a local endpoint; for AWS, `AWS_REGION`
   * or `AWS_DEFAULT_REGION`, as the SDK and the AWS CLI read them.
   */
  readonly region?: string;
  /** Upper bound on one attempt, queueing for a socket included. */
  readonly requestTimeoutMs: number;
  /** Upper bound on opening a connection. Default: `requestTimeoutMs`. */
  readonly connectTimeoutMs?: number;
  /** Open sockets at most; further requests queue. Default {@link DEFAULT_MAX_SOCKETS}. */
  readonly maxSockets?: number;
  /** Attempts per call, the first included. Default {@link DEFAULT_MAX_ATTEMPTS}. */
  readonly maxAttempts?: number;
  /** Overrides where credentials come from (tests). */
  readonly credentials?: CachedCredentials;
  readonly observe?: CallObserver;
}

/**
 * Enough for thousands of calls a second at DynamoDB's single-digit-millisecond latency,
 * few enough that a reconnect storm queues instead of opening a socket per call.
 */
export const DEFAULT_MAX_SOCKETS = 96;

/**
 * Three attempts in total: enough to ride out a throttled or dropped request, short
 * enough that a push request still gets its 503 within a few seconds when DynamoDB is down.
 */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The first retry waits 25–50 ms, the second 50–100 ms (equal jitter, doubling). */
const BACKOFF_BASE_MS = 50;
const TARGET_PREFIX = 'DynamoDB_20120810.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * A client for the DynamoDB JSON protocol: each call is one signed POST whose body is the
 * action's input as JSON. It does what the stores need and nothing else: no request
 * pipeline, no per-call object graph, a signing key derived once a day. Failed attempts
 * are retried when another may succeed (see `isRetryable`); the final failure is a
 * `DynamoDbServiceError` (DynamoDB answered) or a `DynamoDbTransportError` (it did not).
 */
export class DynamoDbWireClient {
  private readonly transport: HttpTransport;
  private readonly signer: SigV4Signer | undefined;
  private readonly credentials: CachedCredentials;
  private readonly host: string;
  private readonly maxAttempts: number;
  private readonly observe: CallObserver | undefined;

  constructor(options: DynamoDbWireClientOptions) {
    const local = options.endpoint !== undefined;
    const region = options.region ?? (local ? 'us-east-1' : regionFromEnvironment());
    const endpoint = new URL(
      options.endpoint ?? `https://dynamodb.${region ?? 'unknown'}.amazonaws.com`,
    );
    this.transport = new HttpTransport({
      endpoint,
      maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS,
      requestTimeoutMs: options.requestTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs ?? options.requestTimeoutMs,
    });
    // Without a region nothing can be signed; every call fails saying so (as the SDK does).
    this.signer =
      region === undefined ? undefined : new SigV4Signer({ region, service: 'dynamodb' });
    this.credentials =
      options.credentials ??
      (local
        ? CachedCredentials.fixed(LOCAL_CREDENTIALS)
        : new CachedCredentials(awsDefaultCredentials()));
    this.host = endpoint.host;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.observe = options.observe;
  }

  async send<O extends OperationName>(
    operation: O,
    input: OperationInput<O>,
  ): Promise<OperationOutput<O>> {
    const startedAt = process.hrtime.bigint();
    try {
      // Encoded once: the same bytes are hashed for the signature and written, per attempt.
      const body = Buffer.from(JSON.stringify(input), 'utf8');
      const output = await this.sendWithRetries(operation, body);
      this.observe?.(operation, secondsSince(startedAt));
      return output as OperationOutput<O>;
    } catch (error) {
      this.observe?.(operation, secondsSince(startedAt), error);
      throw error;
    }
  }

  /** Closes every connection; calls still in flight fail. */
  destroy(): void {
    this.transport.destroy();
  }

  private async sendWithRetries(operation: OperationName, body: Buffer): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(operation, body);
      } catch (error) {
        if (attempt >= this.maxAttempts || !isRetryable(error)) throw error;
        const ceilingMs = BACKOFF_BASE_MS * 2 ** (attempt - 1);
        await delay(ceilingMs / 2 + Math.random() * (ceilingMs / 2));
      }
    }
  }

  private async attempt(operation: OperationName, body: Buffer): Promise<unknown> {
    if (this.signer === undefined) {
      throw new Error('no AWS region configured (set AWS_REGION)');
    }
    const current = this.credentials.current();
    const credentials: AwsCredentials = current instanceof Promise ? await current : current;
    const signed = {
      host: this.host,
      'content-type': CONTENT_TYPE,
      'x-amz-target': TARGET_PREFIX + operation,
    };
    const signature = this.signer.sign(
      { method: 'POST', path: this.transport.requestPath, headers: signed, body },
      credentials,
      new Date(),
    );
    const response = await this.transport.post({ ...signed, ...signature }, body);
    if (response.statusCode === 200) return response.body === '' ? {} : JSON.parse(response.body);
    const error = parseErrorResponse(response.statusCode, response.body);
    if (error.errorType === 'ExpiredTokenException') this.credentials.invalidate();
    throw error;
  }
}

/**
 * The one read of the environment outside the runtime config: the credential chain reads
 * AWS's variables anyway, and a library caller that configures AWS through them (as it
 * did for the SDK client this replaced) should not have to repeat the region.
 */
function regionFromEnvironment(): string | undefined {
  return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

function secondsSince(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
