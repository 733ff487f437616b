import { connect as netConnect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { DynamoDbTransportError } from './dynamodb-wire-errors';
import { HttpResponseParser } from './http-response-parser';
import type { HttpResponse } from './http-response-parser';

export type { HttpResponse } from './http-response-parser';

export interface HttpTransportOptions {
  readonly endpoint: URL;
  /**
   * Upper bound on open connections. Requests beyond it wait for a free one instead of
   * each opening its own, so a burst (a reconnect storm) cannot exhaust ports or make the
   * server refuse connections.
   */
  readonly maxSockets: number;
  /**
   * Upper bound on one request, from the moment it is issued until the response body has
   * arrived; time spent queued for a connection counts, so a backlog fails fast and visibly.
   */
  readonly requestTimeoutMs: number;
  /** Upper bound on establishing a new connection (TCP, and TLS for https). */
  readonly connectTimeoutMs: number;
  /** A connection unused this long is closed. Default {@link DEFAULT_IDLE_TIMEOUT_MS}. */
  readonly idleTimeoutMs?: number;
  /** Extra TLS options for https endpoints (a private CA in tests). */
  readonly tls?: Pick<ConnectionOptions, 'ca'>;
}

/**
 * Below the idle timeouts of the load balancers in front of DynamoDB and of DynamoDB
 * Local's Jetty (30 s), so the client closes an idle connection before a server does and
 * seldom writes a request into a connection that is being closed under it.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 20_000;

/** One request from issue to response. */
interface Exchange {
  /** The request line and headers. */
  readonly head: string;
  readonly body: Buffer;
  readonly resolve: (response: HttpResponse) => void;
  readonly reject: (error: DynamoDbTransportError) => void;
  readonly deadline: NodeJS.Timeout;
  connection: Connection | undefined;
  settled: boolean;
}

/** One keep-alive connection; it carries one exchange at a time. */
interface Connection {
  readonly socket: Socket | TLSSocket;
  readonly parser: HttpResponseParser;
  exchange: Exchange | undefined;
  idleSince: number;
  /** The error the socket reported, if any, for the message of a failed exchange. */
  error: Error | undefined;
}

/**
 * POSTs to one endpoint over a bounded pool of keep-alive HTTP/1.1 connections, written
 * for the one thing the DynamoDB client does: a request is one `writev` of a head rendered
 * from a handful of known headers and the JSON body's bytes, and its response is read by a small
 * incremental parser. `node:http`'s client does the same job with an object graph per
 * request (request, agent bookkeeping, incoming message, header arrays) that, at two
 * calls per push, was the endpoint's largest source of garbage (see docs/performance.md).
 *
 * Resolves with any response, whatever its status; rejects with `DynamoDbTransportError`
 * when there is none: the connection failed or broke, the bytes were not HTTP, or the
 * request timed out (the connection is then closed, since its answer may still come).
 */
export class HttpTransport {
  private readonly endpoint: URL;
  private readonly host: string;
  private readonly port: number;
  private readonly secure: boolean;
  private readonly tls: Pick<ConnectionOptions, 'ca'> | undefined;
  private readonly requestLine: string;
  private readonly maxSockets: number;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly open = new Set<Connection>();
  /** Free connections, the most recently used last: it is taken first, so the rest idle out. */
  private readonly idle: Connection[] = [];
  /** Requests waiting for a connection, oldest first; expired ones are skipped when reached. */
  private queue: Exchange[] = [];
  private queueHead = 0;
  private readonly sweeper: NodeJS.Timeout;
  private tlsSession: Buffer | undefined;
  private destroyed = false;

  constructor(options: HttpTransportOptions) {
    this.endpoint = options.endpoint;
    this.secure = options.endpoint.protocol === 'https:';
    this.host = options.endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port =
      options.endpoint.port === '' ? (this.secure ? 443 : 80) : Number(options.endpoint.port);
    this.tls = options.tls;
    this.requestLine = `POST ${this.requestPath} HTTP/1.1\r\n`;
    this.maxSockets = options.maxSockets;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.connectTimeoutMs = options.connectTimeoutMs;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(this.idleTimeoutMs / 2, 10));
    this.sweeper.unref();
  }

  /** The request path (the endpoint's, normally `/`), as signed. */
  get requestPath(): string {
    return this.endpoint.pathname;
  }

  /**
   * Sends `headers` (lowercase names, ASCII values; `host` among them) and `body`;
   * `content-length` is added here. A value holding CR or LF is refused rather than sent.
   */
  post(headers: Readonly<Record<string, string>>, body: Buffer): Promise<HttpResponse> {
    if (this.destroyed) {
      return Promise.reject(new DynamoDbTransportError('network', 'the client was destroyed'));
    }
    let head = this.requestLine;
    for (const name in headers) {
      const value = headers[name]!;
      if (/[\r\n]/.test(value)) {
        return Promise.reject(
          new DynamoDbTransportError('network', `header ${name} holds a line break`),
        );
      }
      head += `${name}: ${value}\r\n`;
    }
    head += `content-length: ${body.length}\r\n\r\n`;
    return new Promise<HttpResponse>((resolve, reject) => {
      const exchange: Exchange = {
        head,
        body,
        resolve,
        reject,
        deadline: setTimeout(() => this.expire(exchange), this.requestTimeoutMs),
        connection: undefined,
        settled: false,
      };
      const free = this.idle.pop();
      if (free !== undefined) this.start(free, exchange);
      else if (this.open.size < this.maxSockets) this.start(this.connect(), exchange);
      else this.queue.push(exchange);
    });
  }

  /** Closes every connection; requests still in flight or queued fail. */
  destroy(): void {
    this.destroyed = true;
    clearInterval(this.sweeper);
    for (const connection of [...this.open]) connection.socket.destroy();
    for (let exchange = this.dequeue(); exchange !== undefined; exchange = this.dequeue()) {
      this.settle(exchange, new DynamoDbTransportError('network', 'the client was destroyed'));
    }
  }

  private connect(): Connection {
    const socket = this.secure
      ? tlsConnect({
          host: this.host,
          port: this.port,
          servername: isIP(this.host) === 0 ? this.host : undefined,
          ALPNProtocols: ['http/1.1'],
          session: this.tlsSession,
          ...this.tls,
        })
      : netConnect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    const connection: Connection = {
      socket,
      parser: new HttpResponseParser(),
      exchange: undefined,
      idleSince: 0,
      error: undefined,
    };
    this.open.add(connection);
    const connectDeadline = setTimeout(() => {
      connection.error = new Error(`no connection within ${this.connectTimeoutMs} ms`);
      const exchange = connection.exchange;
      if (exchange !== undefined) {
        this.settle(exchange, new DynamoDbTransportError('timeout', connection.error.message));
      }
      socket.destroy();
    }, this.connectTimeoutMs);
    socket.once(this.secure ? 'secureConnect' : 'connect', () => clearTimeout(connectDeadline));
    if (this.secure) {
      socket.on('session', (session: Buffer) => {
        this.tlsSession = session;
      });
    }
    socket.on('data', (data: Buffer) => this.onData(connection, data));
    socket.on('end', () => this.onEnd(connection));
    socket.on('error', (error: Error) => {
      connection.error ??= error;
    });
    socket.on('close', () => {
      clearTimeout(connectDeadline);
      this.onClose(connection);
    });
    return connection;
  }

  private start(connection: Connection, exchange: Exchange): void {
    connection.exchange = exchange;
    exchange.connection = connection;
    const socket = connection.socket;
    socket.ref();
    // Corked, the head and the body leave in one writev.
    socket.cork();
    socket.write(exchange.head, 'latin1');
    socket.write(exchange.body);
    socket.uncork();
  }

  private onData(connection: Connection, data: Buffer): void {
    const exchange = connection.exchange;
    if (exchange === undefined) {
      connection.socket.destroy(); // bytes nobody asked for: the connection cannot be trusted
      return;
    }
    let response: HttpResponse | undefined;
    try {
      response = connection.parser.push(data);
    } catch (error) {
      this.settle(exchange, new DynamoDbTransportError('network', String(error), { cause: error }));
      connection.socket.destroy();
      return;
    }
    if (response === undefined) return;
    connection.exchange = undefined;
    this.settle(exchange, response);
    if (response.keepAlive && !this.destroyed) this.release(connection);
    else connection.socket.destroy();
  }

  private onEnd(connection: Connection): void {
    const exchange = connection.exchange;
    connection.exchange = undefined;
    try {
      const response = connection.parser.end();
      if (exchange !== undefined) {
        this.settle(
          exchange,
          response ??
            new DynamoDbTransportError('network', 'the connection closed without a response'),
        );
      }
    } catch (error) {
      if (exchange !== undefined) {
        this.settle(exchange, new DynamoDbTransportError('network', String(error)));
      }
    }
    connection.socket.destroy();
  }

  private onClose(connection: Connection): void {
    this.open.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at !== -1) this.idle.splice(at, 1);
    const exchange = connection.exchange;
    connection.exchange = undefined;
    if (exchange !== undefined) {
      const reason = connection.error?.message ?? 'the connection closed without a response';
      this.settle(
        exchange,
        new DynamoDbTransportError('network', reason, { cause: connection.error }),
      );
    }
    // A queued request can use the slot this connection held.
    if (this.destroyed || this.open.size >= this.maxSockets) return;
    const next = this.dequeue();
    if (next !== undefined) this.start(this.connect(), next);
  }

  /** Hands a free connection to the oldest waiting request, or parks it. */
  private release(connection: Connection): void {
    const next = this.dequeue();
    if (next !== undefined) {
      this.start(connection, next);
      return;
    }
    connection.idleSince = Date.now();
    connection.socket.unref(); // an idle pool does not keep the process alive
    this.idle.push(connection);
  }

  private dequeue(): Exchange | undefined {
    while (this.queueHead < this.queue.length) {
      const exchange = this.queue[this.queueHead++]!;
      if (this.queueHead === this.queue.length) {
        this.queue = [];
        this.queueHead = 0;
      }
      if (!exchange.settled) return exchange;
    }
    return undefined;
  }

  private expire(exchange: Exchange): void {
    const connection = exchange.connection;
    this.settle(
      exchange,
      new DynamoDbTransportError('timeout', `no response within ${this.requestTimeoutMs} ms`),
    );
    if (connection?.exchange === exchange) {
      // Its answer may still arrive; the connection cannot carry another request.
      connection.exchange = undefined;
      connection.socket.destroy();
    }
  }

  private closeIdle(): void {
    const cutoff = Date.now() - this.idleTimeoutMs;
    // Oldest first: the front of the stack has been free longest.
    while (this.idle.length > 0 && this.idle[0]!.idleSince <= cutoff) {
      this.idle.shift()!.socket.destroy();
    }
  }

  private settle(exchange: Exchange, outcome: HttpResponse | DynamoDbTransportError): void {
    if (exchange.settled) return;
    exchange.settled = true;
    clearTimeout(exchange.deadline);
    if (outcome instanceof DynamoDbTransportError) exchange.reject(outcome);
    else exchange.resolve(outcome);
  }
}
