/**
 * `DELETE /m/{messageId}`: a sender withdraws a message the user agent has not acked
 * yet (RFC 8030 §6.2; push-protocol.md §3.8). Message ids are sealed, so only the
 * holder of a `Location` can name a row; a forged or garbled id is a 400.
 *
 * Difference from autopush: the delete is conditional on the message id, so cancelling
 * an old topic message never removes the newer message that replaced it (autopush-rs
 * deletes whatever holds the topic; the Python autopush guarded it, as Herald does).
 */
import {
  StorageUnavailableError,
  openMessageId,
  type CryptoKeys,
  type Logger,
  type MessageId,
  type MessageStore,
  type PushRejection,
} from '@herald/core';
import { errorSummary } from './error-summary';

export type CancelMessageOutcome =
  /** The row is gone, or was never there (already delivered, expired): both are 204. */
  { readonly kind: 'cancelled' } | { readonly kind: 'rejected'; readonly rejection: PushRejection };

export interface CancelMessageDeps {
  readonly keys: CryptoKeys;
  readonly messageStore: MessageStore;
  readonly log: Logger;
}

/** Deletes the stored message named by `messageId`. Rejects only on a programming error. */
export async function cancelMessage(
  deps: CancelMessageDeps,
  messageId: string,
): Promise<CancelMessageOutcome> {
  const opened = openMessageId(deps.keys, messageId);
  if (opened === undefined) {
    return {
      kind: 'rejected',
      rejection: { code: 'invalid-message-id', message: 'Invalid message ID' },
    };
  }
  try {
    await deps.messageStore.delete(opened.uaid, opened.storageKey, messageId as MessageId);
  } catch (error) {
    if (!(error instanceof StorageUnavailableError)) throw error;
    deps.log.warn({ err: errorSummary(error) }, 'message delete failed');
    return {
      kind: 'rejected',
      rejection: { code: 'storage-unavailable', message: 'Storage is unavailable, retry later' },
    };
  }
  return { kind: 'cancelled' };
}
