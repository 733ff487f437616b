import { StorageUnavailableError } from '@herald/core';

/**
 * The one place SDK errors are translated: every failure leaves the adapter as a
 * `StorageUnavailableError` naming the operation, with the SDK error as `cause`.
 */
export function storageUnavailable(operation: string, error: unknown): StorageUnavailableError {
  if (error instanceof StorageUnavailableError) return error;
  const detail = sdkErrorName(error) ?? 'unknown error';
  return new StorageUnavailableError(`DynamoDB ${operation} failed: ${detail}`, { cause: error });
}

/** Runs one SDK call, translating any failure. */
export async function attempt<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw storageUnavailable(operation, error);
  }
}

/** A conditional write whose condition did not hold: an expected outcome, not a failure. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return sdkErrorName(error) === 'ConditionalCheckFailedException';
}

export function isResourceNotFound(error: unknown): boolean {
  return sdkErrorName(error) === 'ResourceNotFoundException';
}

export function isResourceInUse(error: unknown): boolean {
  return sdkErrorName(error) === 'ResourceInUseException';
}

/** dynalite implements only part of the API (no `UpdateTimeToLive`). */
export function isUnknownOperation(error: unknown): boolean {
  const name = sdkErrorName(error);
  return name === 'UnknownOperationException' || name === 'UnknownOperation';
}

// Matched by name rather than `instanceof`: DynamoDB Local and dynalite errors are
// deserialised into the SDK's generic ServiceException when the shape is unmodelled.
function sdkErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}
