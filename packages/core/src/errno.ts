/**
 * Why a push (or a message cancellation) was refused, and how each reason is answered
 * over HTTP. autopush's errno numbers are kept so senders' existing handling works
 * (push-protocol.md §3.6); `urgency-invalid` is Herald's own (autopush ignores Urgency).
 */
export type PushErrorCode =
  | 'invalid-token'
  | 'subscription-gone'
  | 'vapid-invalid'
  | 'encryption-headers'
  | 'ttl-missing'
  | 'ttl-negative'
  | 'topic-invalid'
  | 'urgency-invalid'
  | 'payload-too-large'
  | 'invalid-message-id'
  | 'storage-unavailable'
  | 'not-found';

export interface PushErrorAnswer {
  readonly status: number;
  readonly errno: number | null;
}

/** The single table from failure to HTTP answer; a new code fails to compile until mapped. */
export const PUSH_ERRORS = {
  'invalid-token': { status: 404, errno: 102 },
  'subscription-gone': { status: 410, errno: 106 },
  'vapid-invalid': { status: 401, errno: 109 },
  'encryption-headers': { status: 400, errno: 110 },
  'ttl-missing': { status: 400, errno: 111 },
  'topic-invalid': { status: 400, errno: 113 },
  'ttl-negative': { status: 400, errno: 114 },
  'urgency-invalid': { status: 400, errno: 115 },
  'payload-too-large': { status: 413, errno: 104 },
  'invalid-message-id': { status: 400, errno: null },
  'storage-unavailable': { status: 503, errno: 201 },
  'not-found': { status: 404, errno: null },
} as const satisfies Record<PushErrorCode, PushErrorAnswer>;

/** A refusal as a value: the code picks the answer, the message explains it to the sender. */
export interface PushRejection {
  readonly code: PushErrorCode;
  readonly message: string;
}
