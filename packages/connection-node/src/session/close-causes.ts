/**
 * Why the server closes a WebSocket, and the close frame each cause produces: the one
 * table from cause to wire (style rule 6). Codes and reasons follow autopush
 * (push-protocol.md §2.9) so Firefox reacts as it does there: it reconnects after
 * anything but 4774.
 */
export type CloseCause =
  /** Too many stored messages in one drain: the uaid was deleted; the client starts over. */
  | 'uaid-reset'
  /** A binary or continuation frame: the protocol is JSON text only. */
  | 'binary-frame'
  /** The frame is not JSON, or not a known message shape. */
  | 'malformed-frame'
  /** A frame the current state does not allow: anything before `hello`, a second `hello`,
   *  a `register` with a non-canonical channelID. */
  | 'protocol-violation'
  /** No `hello` within `helloTimeoutMs`. */
  | 'hello-timeout'
  /** A newer connection for the same uaid took over (on this node or another). */
  | 'superseded'
  /** Client `{}` pings more often than `clientPingMinIntervalMs`. */
  | 'excessive-ping'
  /** Storage failed while identifying or draining; the client retries by reconnecting. */
  | 'storage-unavailable'
  /** The node is shutting down; the client reconnects (to another node). */
  | 'shutdown'
  /** A defect in Herald; the client reconnects and starts afresh. */
  | 'internal-error'
  /** The node already holds `maxConnections` sockets; the client retries with backoff. */
  | 'node-full';

export interface CloseFrame {
  readonly code: number;
  /** Short ASCII text; a close frame's payload is limited to 125 bytes. */
  readonly reason: string;
}

export const CLOSE_FRAMES = {
  'uaid-reset': { code: 1000, reason: 'SM' },
  'binary-frame': { code: 1003, reason: 'UnsupportedMessage' },
  'malformed-frame': { code: 1011, reason: 'Json' },
  'protocol-violation': { code: 1011, reason: 'SM' },
  'hello-timeout': { code: 1011, reason: 'HandshakeTimeout' },
  superseded: { code: 1011, reason: 'SM' },
  // autopush-rs closes 1011 here, which makes Firefox reconnect at once and ping again;
  // Herald uses autopush-py's 4774, Firefox's "back off until the network changes".
  'excessive-ping': { code: 4774, reason: 'ExcessivePing' },
  'storage-unavailable': { code: 1011, reason: 'SM' },
  shutdown: { code: 1001, reason: 'Shutdown' },
  'internal-error': { code: 1011, reason: 'SM' },
  // RFC 6455 "Try Again Later": a retryable close, unlike 4774.
  'node-full': { code: 1013, reason: 'Try Again Later' },
} as const satisfies Record<CloseCause, CloseFrame>;
