import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DynamoDbTransportError } from './dynamodb-wire-errors';

export interface HttpTransportOptions {
  readonly endpoint: URL;
  /**
   * Upper bound on open sockets. Requests beyond it wait in the agent's queue for a free
   * socket instead of each opening its own, so a burst (a reconnect storm) cannot exhaust
   * ports or make the server refuse connections.
   */
  readonly maxSockets: number;
  /**
   * Upper bound on one attempt, from the moment it is issued until the response body has
   * arrived; time spent queued for a socket counts, so a backlog fails fast and visibly.
   */
  readonly requestTimeoutMs: number;
  /** Upper bound on establishing a new connection (TCP, and TLS for https). */
  readonly connectTimeoutMs: number;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly body: string;
}

/**
 * POSTs to one endpoint over a bounded pool of keep-alive connections. Resolves with any
 * response, whatever its status; rejects with `DynamoDbTransportError` when there is none.
 */
export class HttpTransport {
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private readonly send: typeof httpRequest;
  private readonly host: string;
  private readonly port: number | undefined;
  private readonly path: string;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  constructor(options: HttpTransportOptions) {
    const secure = options.endpoint.protocol === 'https:';
    this.secure = secure;
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
      // The most recently used socket first: the others idle out instead of all staying warm.
      scheduling: 'lifo' as const,
    };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
    this.host = options.endpoint.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = options.endpoint.port === '' ? undefined : Number(options.endpoint.port);
    this.path = options.endpoint.pathname;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.connectTimeoutMs = options.connectTimeoutMs;
  }

  /** The request path (the endpoint's, normally `/`), as signed. */
  get requestPath(): string {
    return this.path;
  }

  post(headers: OutgoingHttpHeaders, body: string): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (error: DynamoDbTransportError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        reject(error);
        req.destroy();
      };
      const req = this.send(
        {
          agent: this.agent,
          host: this.host,
          port: this.port,
          method: 'POST',
          path: this.path,
          headers,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            resolve({
              statusCode: res.statusCode ?? 0,
              body:
                chunks.length === 1
                  ? chunks[0]!.toString('utf8')
                  : Buffer.concat(chunks).toString('utf8'),
            });
          });
          res.on('error', (error) =>
            fail(new DynamoDbTransportError('network', 'response aborted', { cause: error })),
          );
        },
      );
      const deadline = setTimeout(
        () =>
          fail(
            new DynamoDbTransportError('timeout', `no response within ${this.requestTimeoutMs} ms`),
          ),
        this.requestTimeoutMs,
      );
      req.on('socket', (socket) => {
        // A pooled socket is already connected; only a new one gets a connect deadline.
        if (!socket.connecting) return;
        const connectDeadline = setTimeout(
          () =>
            fail(
              new DynamoDbTransportError(
                'timeout',
                `no connection within ${this.connectTimeoutMs} ms`,
              ),
            ),
          this.connectTimeoutMs,
        );
        const done = (): void => clearTimeout(connectDeadline);
        socket.once(this.secure ? 'secureConnect' : 'connect', done);
        socket.once('close', done);
      });
      req.on('error', (error) =>
        fail(new DynamoDbTransportError('network', error.message, { cause: error })),
      );
      req.end(body);
    });
  }

  /** Closes every connection; requests still in flight fail. */
  destroy(): void {
    this.agent.destroy();
  }
}
