import { StorageUnavailableError } from '@herald/core';
import { DynamoDbServiceError, DynamoDbTransportError } from './wire/dynamodb-wire-errors';

/**
 * The one place DynamoDB errors are translated: every failure leaves the adapter as a
 * `StorageUnavailableError` naming the operation, with the client's error as `cause`.
 */
export function storageUnavailable(operation: string, error: unknown): StorageUnavailableError {
  if (error instanceof StorageUnavailableError) return error;
  const detail =
    error instanceof DynamoDbServiceError
      ? error.errorType
      : error instanceof Error
        ? `${error instanceof DynamoDbTransportError ? error.reason : error.name} (${error.message})`
        : 'unknown error';
  return new StorageUnavailableError(`DynamoDB ${operation} failed: ${detail}`, { cause: error });
}

/** Runs one call, translating any failure. */
export async function attempt<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storageUnavailable(operation, error);
  }
}

/** A conditional write whose condition did not hold: an expected outcome, not a failure. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return errorTypeOf(error) === 'ConditionalCheckFailedException';
}

export function isResourceNotFound(error: unknown): boolean {
  return errorTypeOf(error) === 'ResourceNotFoundException';
}

export function isResourceInUse(error: unknown): boolean {
  return errorTypeOf(error) === 'ResourceInUseException';
}

/** dynalite implements only part of the API (no `UpdateTimeToLive`). */
export function isUnknownOperation(error: unknown): boolean {
  const name = errorTypeOf(error);
  return name === 'UnknownOperationException' || name === 'UnknownOperation';
}

/**
 * DynamoDB's error type: `errorType` of the wire client's errors, the error's `name`
 * otherwise (transport errors, and the SDK's, which create-tables still uses: matched by
 * name rather than `instanceof` because local servers' errors are deserialised into the
 * SDK's generic ServiceException when the shape is unmodelled).
 */
export function errorTypeOf(error: unknown): string | undefined {
  if (error instanceof DynamoDbServiceError) return error.errorType;
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
