import type { ConnectionSettings } from '../settings';

export type RetrySettings = Pick<ConnectionSettings, 'storageAttempts' | 'storageRetryMs'>;

/**
 * Calls `attempt` up to `storageAttempts` times, waiting `storageRetryMs` before the
 * second and twice as long before each later one: a storage hiccup during a storm is
 * ridden out instead of closing the client, which would only reconnect and add load.
 * Stops early, with the last error, once `stillWanted()` is false (the socket closed).
 * Each attempt runs `attempt` afresh, so it may take a new timestamp.
 */
export async function retryStorage<T>(
  attempt: () => Promise<T>,
  settings: RetrySettings,
  stillWanted: () => boolean,
): Promise<T> {
  let delayMs = settings.storageRetryMs;
  for (let made = 1; ; made += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (made >= settings.storageAttempts || !stillWanted()) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs *= 2;
      if (!stillWanted()) throw error;
    }
  }
}
