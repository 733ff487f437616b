import { randomUUID } from 'node:crypto';
import { newChannelId, storageKeyFor } from '@herald/core';
import type { MessageId, Notification, Uaid } from '@herald/core';

/** The writer id of these fixtures' arrival-ordered keys (any 32-bit value will do). */
const WRITER_ID = 0x0badcafe;
let lastUs = 0;

/**
 * A stored notification of `uaid` with a canonical storage key: arrival-ordered (`02:`,
 * unique to the message) or, with `topic`, the topic row (`01:`) a replacement reuses.
 */
export function storedNotification(
  uaid: Uaid,
  shape: { topic?: string; channelId?: Notification['channelId'] } = {},
): Notification {
  const channelId = shape.channelId ?? newChannelId();
  // Strictly increasing, as an endpoint's MonotonicMicros hands them out.
  const receivedAtUs = (lastUs = Math.max(lastUs + 1, Date.now() * 1000));
  return {
    uaid,
    channelId,
    messageId: `m-${randomUUID()}` as MessageId,
    storageKey: storageKeyFor({
      channelId,
      receivedAtUs,
      writerId: WRITER_ID,
      ...(shape.topic !== undefined ? { topic: shape.topic } : {}),
    }),
    ttlSeconds: 3_600,
    receivedAtMs: Math.floor(receivedAtUs / 1000),
    urgency: 'normal',
    ...(shape.topic !== undefined ? { topic: shape.topic } : {}),
  };
}
