/**
 * DynamoDB answered with an error document. `errorType` is the part of `__type` after
 * the `#` (`ConditionalCheckFailedException`, `ResourceNotFoundException`, …), or
 * `HttpError` when the body was not DynamoDB's (a proxy's page, an empty 502).
 */
export class DynamoDbServiceError extends Error {
  override readonly name = 'DynamoDbServiceError';
  readonly errorType: string;
  readonly statusCode: number;

  constructor(errorType: string, statusCode: number, message: string) {
    super(`${errorType} (HTTP ${statusCode}): ${message}`);
    this.errorType = errorType;
    this.statusCode = statusCode;
  }
}

/** The request got no answer: the connection failed, broke, or the timeout ran out. */
export class DynamoDbTransportError extends Error {
  override readonly name = 'DynamoDbTransportError';
  readonly reason: 'timeout' | 'network';

  constructor(reason: 'timeout' | 'network', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Turns a non-2xx response into its typed error. */
export function parseErrorResponse(statusCode: number, body: string): DynamoDbServiceError {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    document = undefined;
  }
  if (typeof document !== 'object' || document === null) {
    return new DynamoDbServiceError('HttpError', statusCode, body.slice(0, 200) || 'no body');
  }
  const fields = document as { __type?: unknown; message?: unknown; Message?: unknown };
  const type = typeof fields.__type === 'string' ? fields.__type : '';
  const errorType = type.slice(type.lastIndexOf('#') + 1) || 'HttpError';
  const message =
    typeof fields.message === 'string'
      ? fields.message
      : typeof fields.Message === 'string'
        ? fields.Message
        : 'no message';
  return new DynamoDbServiceError(errorType, statusCode, message);
}

/** Error types DynamoDB sends with a 400 that mean "slow down and try again". */
const THROTTLING_ERROR_TYPES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

/**
 * Whether another attempt may succeed: throttling, server faults, and requests that got
 * no answer. Everything else (a failed condition, a validation error, a missing table,
 * bad credentials) would fail the same way again.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof DynamoDbTransportError) return true;
  if (error instanceof DynamoDbServiceError) {
    return error.statusCode >= 500 || THROTTLING_ERROR_TYPES.has(error.errorType);
  }
  return false;
}
