/**
 * The only thing a session knows about its socket. The WebSocket layer implements it
 * (`ws-transport.ts`); tests implement it with a recorder. Keeping socket types out of
 * the session is what lets the protocol be tested frame by frame.
 */
export interface SessionTransport {
  /** Queues one text frame. Never throws, also not after the socket closed. */
  send(text: string): SendResult;
  /**
   * Closes the socket with a WebSocket close frame. The transport then reports the close
   * back to the session (possibly synchronously, from inside this call). Idempotent.
   */
  close(code: number, reason: string): void;
}

/**
 * What became of a `send`: `sent` and `buffered` both mean the frame will go out
 * (`buffered` = queued behind backpressure); `dropped` means the backpressure limit was
 * hit and the socket is being closed; `closed` means the socket was already gone.
 */
export type SendResult = 'sent' | 'buffered' | 'dropped' | 'closed';

/** True when the frame will reach the socket's send buffer. */
export function wasAccepted(result: SendResult): boolean {
  return result === 'sent' || result === 'buffered';
}
