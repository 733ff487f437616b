/** Thrown by {@link withTimeout} when the deadline passes first. */
export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

/**
 * Settles like `promise`, or rejects with {@link DeadlineExceededError} after
 * `timeoutMs`. The timer is cleared either way so it never holds the process open.
 * The original promise keeps running; callers that own a resource it may still
 * produce must clean it up themselves.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new DeadlineExceededError(`${what} took longer than ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
