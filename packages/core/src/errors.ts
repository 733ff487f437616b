/**
 * Errors a caller handles differently, one class each, chained with `cause`.
 * SDK errors never leave an adapter: they are wrapped in one of these.
 */
export class HeraldError extends Error {
  override readonly name: string = 'HeraldError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The database did not answer, or refused the operation. Retryable. */
export class StorageUnavailableError extends HeraldError {
  override readonly name = 'StorageUnavailableError';
}

/** The bus could not take a command (disconnected, closed). */
export class BusUnavailableError extends HeraldError {
  override readonly name = 'BusUnavailableError';
}

/** `HERALD_CRYPTO_KEYS` (or a generated key file) does not hold usable keys. */
export class InvalidCryptoKeysError extends HeraldError {
  override readonly name = 'InvalidCryptoKeysError';
}
