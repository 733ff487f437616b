/**
 * A user agent for tests: speaks Mozilla's WebSocket push protocol (push-protocol.md §2)
 * over `ws`, the way Firefox does, and decrypts what it receives. Replies and
 * notifications are buffered as they arrive, so a test can send several frames and read
 * the answers afterwards without racing the server.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { decryptPush, generateSubscriptionKeys } from './ece';
import type { SubscriptionKeys } from './ece';

/** Any server frame, parsed; fields are read loosely. */
export type PushServerFrame = Readonly<Record<string, unknown>>;

export interface ReceivedNotification {
  readonly channelId: string;
  readonly version: string;
  /** The body, base64url; absent for a push without payload. */
  readonly data?: string;
  readonly headers?: {
    readonly encoding: string;
    readonly encryption?: string;
    readonly crypto_key?: string;
  };
  /** The frame as received. */
  readonly frame: PushServerFrame;
}

/** The subscription JSON a page would get from `pushManager.subscribe()`. */
export interface PushSubscriptionJson {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface Registration {
  /** 200, or 400 / 500 with an empty endpoint. */
  readonly status: number;
  readonly channelId: string;
  readonly endpoint: string;
  readonly subscription: PushSubscriptionJson;
}

export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

const DEFAULT_TIMEOUT_MS = 5000;

/**
 * What a browser keeps across connections: the subscriptions' private keys. Pass one
 * agent's `profile` to the next `connect` to decrypt what arrives after a reconnect.
 */
export class UserAgentProfile {
  readonly channelKeys = new Map<string, SubscriptionKeys>();
}

interface Waiter {
  readonly accept: (frame: PushServerFrame) => boolean;
  readonly resolve: (frame: PushServerFrame) => void;
}

export class UserAgent {
  /** The uaid from the last hello reply. */
  uaid: string | undefined;
  /** Notifications received and not yet taken by `nextNotification`, oldest first. */
  readonly notifications: ReceivedNotification[] = [];
  /** Every notification ever received, for duplicate checks. */
  readonly allNotifications: ReceivedNotification[] = [];
  /** Resolves once the socket closes, with the server's (or our) close code and reason. */
  readonly closed: Promise<CloseEvent>;

  private readonly replies: PushServerFrame[] = [];
  private readonly waiters = new Set<Waiter>();
  private closeEvent: CloseEvent | undefined;

  private constructor(
    private readonly socket: WebSocket,
    /** The subscription keys, shareable with a later connection of the same "browser". */
    readonly profile: UserAgentProfile,
  ) {
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString() };
        resolve(this.closeEvent);
        for (const waiter of this.waiters) waiter.resolve({ closed: true });
        this.waiters.clear();
      });
    });
    socket.on('message', (data, isBinary) => this.onMessage(isBinary ? '' : rawText(data)));
  }

  /** Opens the WebSocket (offering `push-notification`, as Firefox does). */
  static connect(
    url: string,
    options: { protocols?: string[]; timeoutMs?: number; profile?: UserAgentProfile } = {},
  ): Promise<UserAgent> {
    const socket = new WebSocket(url, options.protocols ?? ['push-notification'], {
      handshakeTimeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    return new Promise((resolve, reject) => {
      socket.once('open', () =>
        resolve(new UserAgent(socket, options.profile ?? new UserAgentProfile())),
      );
      socket.once('error', reject);
    });
  }

  /** The subprotocol the server agreed to ('' when none). */
  get protocol(): string {
    return this.socket.protocol;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends `hello` (with `uaid` only if given, as Firefox does) and waits for the reply. */
  async hello(uaid?: string, timeoutMs?: number): Promise<PushServerFrame> {
    this.sendJson({
      messageType: 'hello',
      broadcasts: {},
      use_webpush: true,
      ...(uaid === undefined ? {} : { uaid }),
    });
    const reply = await this.nextReply('hello', timeoutMs);
    if (typeof reply['uaid'] === 'string') this.uaid = reply['uaid'];
    return reply;
  }

  /**
   * Registers a channel (a fresh one by default) with an optional applicationServerKey
   * (base64url; sent as given), generating the subscription's own keys.
   */
  async register(
    channelId: string = randomUUID(),
    appServerKey?: string,
    timeoutMs?: number,
  ): Promise<Registration> {
    const keys = generateSubscriptionKeys();
    this.profile.channelKeys.set(channelId, keys);
    this.sendJson({
      messageType: 'register',
      channelID: channelId,
      ...(appServerKey === undefined ? {} : { key: appServerKey }),
    });
    const reply = await this.nextReply('register', timeoutMs);
    const endpoint = typeof reply['pushEndpoint'] === 'string' ? reply['pushEndpoint'] : '';
    return {
      status: Number(reply['status']),
      channelId,
      endpoint,
      subscription: {
        endpoint,
        keys: {
          p256dh: keys.publicKey.toString('base64url'),
          auth: keys.authSecret.toString('base64url'),
        },
      },
    };
  }

  async unregister(channelId: string, code = 200, timeoutMs?: number): Promise<PushServerFrame> {
    this.sendJson({ messageType: 'unregister', channelID: channelId, code });
    return this.nextReply('unregister', timeoutMs);
  }

  /** Sends `{}` and waits for the `{}` answer. */
  async ping(timeoutMs?: number): Promise<void> {
    this.sendRaw('{}');
    await this.nextReply('ping', timeoutMs);
  }

  /** Acks one notification (100 = delivered, 101 = decryption failed, 102 = not delivered). */
  ack(notification: Pick<ReceivedNotification, 'channelId' | 'version'>, code = 100): void {
    this.sendJson({
      messageType: 'ack',
      updates: [{ channelID: notification.channelId, version: notification.version, code }],
    });
  }

  nack(notification: Pick<ReceivedNotification, 'version'>, code = 301): void {
    this.sendJson({ messageType: 'nack', version: notification.version, code });
  }

  /** The oldest buffered notification, or the next one to arrive. Rejects on timeout or close. */
  async nextNotification(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ReceivedNotification> {
    const buffered = this.notifications.shift();
    if (buffered !== undefined) return buffered;
    await this.waitFor(
      (frame) => frame['messageType'] === 'notification',
      timeoutMs,
      'a notification',
    );
    const next = this.notifications.shift();
    if (next === undefined) throw new Error('notification vanished');
    return next;
  }

  /** The next buffered or arriving reply of this type (`ping` for `{}`). */
  async nextReply(type: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PushServerFrame> {
    const index = this.replies.findIndex((frame) => replyType(frame) === type);
    if (index >= 0) return this.replies.splice(index, 1)[0]!;
    await this.waitFor((frame) => replyType(frame) === type, timeoutMs, `a ${type} reply`);
    return this.nextReply(type, 0);
  }

  /** Decrypts a notification's body with the keys this agent made for its channel. */
  decrypt(notification: ReceivedNotification): Buffer {
    const keys = this.profile.channelKeys.get(notification.channelId);
    if (keys === undefined) throw new Error(`no keys for channel ${notification.channelId}`);
    if (notification.data === undefined || notification.headers === undefined) {
      throw new Error('notification has no payload');
    }
    return decryptPush({ data: notification.data, headers: notification.headers }, keys);
  }

  /** Sends a frame exactly as given: text, or binary for a Buffer. */
  sendRaw(payload: string | Buffer): void {
    this.socket.send(payload, { binary: Buffer.isBuffer(payload) });
  }

  /** Closes from the client side and waits until the socket is closed. */
  async close(code = 1000, reason = ''): Promise<CloseEvent> {
    if (this.closeEvent === undefined) this.socket.close(code, reason);
    return this.closed;
  }

  /** Drops the TCP connection without a close handshake (a vanished device). */
  terminate(): Promise<CloseEvent> {
    this.socket.terminate();
    return this.closed;
  }

  private sendJson(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  private onMessage(text: string): void {
    let frame: PushServerFrame;
    try {
      frame = JSON.parse(text) as PushServerFrame;
    } catch {
      frame = { messageType: 'unparseable', text };
    }
    if (frame['messageType'] === 'notification') {
      const headers = frame['headers'] as ReceivedNotification['headers'] | undefined;
      const notification: ReceivedNotification = {
        channelId: String(frame['channelID']),
        version: String(frame['version']),
        frame,
        ...(typeof frame['data'] === 'string' ? { data: frame['data'] } : {}),
        ...(headers === undefined ? {} : { headers }),
      };
      this.notifications.push(notification);
      this.allNotifications.push(notification);
    } else {
      this.replies.push(frame);
    }
    for (const waiter of this.waiters) {
      if (waiter.accept(frame)) {
        this.waiters.delete(waiter);
        waiter.resolve(frame);
      }
    }
  }

  private waitFor(
    accept: (frame: PushServerFrame) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    if (this.closeEvent !== undefined) {
      return Promise.reject(
        new Error(
          `socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) while waiting for ${what}`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter = {
        accept,
        resolve: (frame) => {
          clearTimeout(timer);
          if (frame['closed'] === true) {
            reject(
              new Error(
                `socket closed (${this.closeEvent?.code} ${this.closeEvent?.reason}) while waiting for ${what}`,
              ),
            );
          } else {
            resolve();
          }
        },
      };
      this.waiters.add(waiter);
    });
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  // Two calls, not one: no single Buffer.from overload takes `Buffer | ArrayBuffer`.
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function replyType(frame: PushServerFrame): string {
  const type = frame['messageType'];
  if (type === undefined && Object.keys(frame).length === 0) return 'ping';
  return typeof type === 'string' ? type : 'unknown';
}
