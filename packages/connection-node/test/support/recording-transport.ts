import type { Session, SendResult, SessionTransport } from '../../src';

/** Parsed server frame; tests read fields loosely. */
export type ServerFrame = Record<string, unknown>;

/**
 * A SessionTransport that records what the session sends and reports closes back to it
 * synchronously, as uWS does. Waiting is event-driven: every send or close wakes waiters.
 */
export class RecordingTransport implements SessionTransport {
  readonly sent: string[] = [];
  closedWith: { code: number; reason: string } | undefined;
  session: Session | undefined;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  send(text: string): SendResult {
    if (this.closedWith !== undefined) return 'closed';
    this.sent.push(text);
    this.wake();
    return 'sent';
  }

  close(code: number, reason: string): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = { code, reason };
    this.wake();
    this.session?.onTransportClosed();
  }

  /** The next frame not yet read by a test, waiting for it if needed. */
  async next(): Promise<ServerFrame> {
    await this.until(() => this.cursor < this.sent.length || this.closedWith !== undefined);
    const text = this.sent[this.cursor];
    if (text === undefined)
      throw new Error(`socket closed (${JSON.stringify(this.closedWith)}) before a frame arrived`);
    this.cursor += 1;
    return JSON.parse(text) as ServerFrame;
  }

  /** Frames sent but not yet read; does not wait. */
  unread(): ServerFrame[] {
    const frames = this.sent.slice(this.cursor).map((t) => JSON.parse(t) as ServerFrame);
    this.cursor = this.sent.length;
    return frames;
  }

  async closed(): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closedWith !== undefined);
    return this.closedWith!;
  }

  private until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (condition()) resolve();
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
