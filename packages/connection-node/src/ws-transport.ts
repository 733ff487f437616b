import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import * as uws from 'uWebSockets.js';
import type {
  HttpRequest,
  HttpResponse,
  TemplatedApp,
  WebSocket,
  us_listen_socket,
  us_socket_context_t,
} from 'uWebSockets.js';
import type { Logger } from '@herald/core';
import { HelloDeadlines } from './hello-deadlines';
import type { AwaitingHello } from './hello-deadlines';
import type { ConnectionSettings } from './settings';
import { CLOSE_FRAMES } from './session/close-causes';
import type { CloseCause } from './session/close-causes';
import type { SendResult, SessionTransport } from './session/session-transport';

/** The protocol Firefox asks for; echoed when offered (legal, and what a strict client expects). */
const PUSH_SUBPROTOCOL = 'push-notification';

/**
 * Per-socket send buffer cap. A full drain batch (10 notifications of ~7.5 KB) fits many
 * times over; a reader this far behind is dead or hostile and is closed
 * (`closeOnBackpressureLimit`). Its messages stay stored.
 */
const MAX_BACKPRESSURE_BYTES = 256 * 1024;

/** What the transport needs from a session: the socket-facing half of `Session`. */
export interface TransportSession {
  readonly phase: string;
  onText(text: string): void;
  onBinary(): void;
  onTransportClosed(): void;
  closeWith(cause: CloseCause): void;
}

export interface WsTransportOptions {
  readonly port: number;
  readonly host?: string;
  readonly settings: ConnectionSettings;
  /** PEM files; when given the socket speaks TLS (wss://) through uWS's SSLApp. */
  readonly tls?: TlsFiles;
  readonly log: Logger;
  /** Called for each upgrade refused because `maxConnections` sockets are open. */
  readonly onConnectionCapReached: () => void;
  /** Creates the session for a newly opened socket. */
  readonly openSession: (transport: SessionTransport) => TransportSession;
}

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface WsTransport {
  readonly port: number;
  connectionCount(): number;
  /** Closes the listen socket: no new connections; open sockets are untouched. */
  stopAccepting(): void;
  /** Closes up to `limit` open sockets for `cause`; returns how many remain open. */
  closeSockets(cause: CloseCause, limit?: number): number;
  /** Stops accepting, stops the hello sweeper. Sockets must be closed first. Idempotent. */
  close(): void;
}

/**
 * uWS copies the user data's fields onto its socket object (`getUserData()` returns the
 * socket itself). V8 keeps them in a property array of three slots, which every socket
 * object gets for its first field: the two list links cost nothing beyond `link`.
 */
interface SocketData {
  readonly link: SocketLink;
  /** Neighbours in {@link OpenSockets}, in open order; unset once closed. */
  prev: SocketData | undefined;
  next: SocketData | undefined;
}

/**
 * The open sockets, oldest first: a list threaded through the sockets' own user data, so
 * holding one costs no set entry (a Set of 10,000 took 33-46 B per socket, its table
 * doubling as it grows).
 */
class OpenSockets {
  private head: SocketData | undefined = undefined;
  private tail: SocketData | undefined = undefined;
  size = 0;

  add(data: SocketData): void {
    data.prev = this.tail;
    data.next = undefined;
    if (this.tail === undefined) this.head = data;
    else this.tail.next = data;
    this.tail = data;
    this.size += 1;
  }

  /** Unlinks `data`; a no-op unless it was added and not yet deleted. */
  delete(data: SocketData): void {
    if (data.prev === undefined && this.head !== data) return;
    if (data.prev === undefined) this.head = data.next;
    else data.prev.next = data.next;
    if (data.next === undefined) this.tail = data.prev;
    else data.next.prev = data.prev;
    data.prev = undefined;
    data.next = undefined;
    this.size -= 1;
  }

  /** The links of the open sockets, oldest first: a copy, safe to close them from. */
  links(): SocketLink[] {
    const links: SocketLink[] = [];
    for (let data = this.head; data !== undefined; data = data.next) links.push(data.link);
    return links;
  }
}

/**
 * Binds one uWS socket to one session. It is the session's {@link SessionTransport}, and
 * guards against touching the socket after close (uWS throws on a closed socket).
 */
class SocketLink implements SessionTransport, AwaitingHello {
  socket: WebSocket<SocketData> | undefined = undefined;
  session: TransportSession | undefined = undefined;

  send(text: string): SendResult {
    if (this.socket === undefined) return 'closed';
    switch (this.socket.send(text, false, false)) {
      case 1:
        return 'sent';
      case 0:
        return 'buffered';
      default:
        return 'dropped';
    }
  }

  close(code: number, reason: string): void {
    const socket = this.socket;
    if (socket === undefined) return;
    this.socket = undefined;
    socket.end(code, reason);
  }

  expireHello(): void {
    if (this.session?.phase === 'awaiting-hello') this.session.closeWith('hello-timeout');
  }
}

/** True when uWS loaded its native binary rather than the slow JS fallback it silently uses. */
export function isNativeUws(): boolean {
  return typeof (uws as { getParts?: unknown }).getParts === 'function';
}

/**
 * The WebSocket server: the only module that knows uWebSockets.js. It maps socket events
 * to session calls and nothing more; protocol decisions live in the session.
 */
export async function startWsTransport(options: WsTransportOptions): Promise<WsTransport> {
  const { settings, log } = options;
  if (!isNativeUws()) {
    log.error(
      { node: process.versions.node, modules: process.versions.modules },
      'uWebSockets.js fell back to its JavaScript implementation; use Node.js 20 for the native build',
    );
  }

  const open = new OpenSockets();
  const deadlines = new HelloDeadlines<SocketLink>(settings.helloTimeoutMs);
  const app: TemplatedApp = await createApp(options.tls);
  const { maxConnections } = settings;

  app.ws<SocketData>('/', {
    maxPayloadLength: settings.maxFrameBytes,
    idleTimeout: settings.idleTimeoutSeconds,
    sendPingsAutomatically: true,
    maxBackpressure: MAX_BACKPRESSURE_BYTES,
    closeOnBackpressureLimit: 1,
    upgrade: (res: HttpResponse, req: HttpRequest, context: us_socket_context_t) => {
      const offered = req.getHeader('sec-websocket-protocol');
      const protocol = offersPushSubprotocol(offered) ? PUSH_SUBPROTOCOL : '';
      res.upgrade<SocketData>(
        { link: new SocketLink(), prev: undefined, next: undefined },
        req.getHeader('sec-websocket-key'),
        protocol,
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (socket) => {
      const data = socket.getUserData();
      const { link } = data;
      if (maxConnections > 0 && open.size >= maxConnections) {
        // Accepted then closed, rather than refused at the HTTP upgrade: Firefox treats a
        // failed upgrade like a network error, but a 1013 close as "retry later" with
        // backoff; and the close is cheap (no session is created).
        options.onConnectionCapReached();
        const { code, reason } = CLOSE_FRAMES['node-full'];
        socket.end(code, reason);
        return;
      }
      link.socket = socket;
      link.session = options.openSession(link);
      open.add(data);
      deadlines.add(link);
    },
    message: (socket, message, isBinary) => {
      const { link } = socket.getUserData();
      if (isBinary) link.session?.onBinary();
      else link.session?.onText(Buffer.from(message).toString('utf8'));
      // The first frame ends the wait for `hello` (it is `hello`, or the socket closes).
      if (link.session?.phase !== 'awaiting-hello') deadlines.delete(link);
    },
    close: (socket) => {
      const data = socket.getUserData();
      const { link } = data;
      link.socket = undefined;
      open.delete(data);
      deadlines.delete(link);
      link.session?.onTransportClosed();
    },
  });
  app.get('/__lbheartbeat__', (res) => {
    res.writeStatus('200 OK').end();
  });
  app.any('/*', (res) => {
    res.writeStatus('404 Not Found').end();
  });

  const listenSocket = await listen(app, options.host, options.port);
  const port = uws.us_socket_local_port(listenSocket);
  let accepting = true;
  const stopAccepting = (): void => {
    if (!accepting) return;
    accepting = false;
    uws.us_listen_socket_close(listenSocket);
  };

  return {
    port,
    connectionCount: () => open.size,
    stopAccepting,
    closeSockets(cause, limit = Number.POSITIVE_INFINITY) {
      let closed = 0;
      for (const link of open.links()) {
        if (closed >= limit) break;
        link.session?.closeWith(cause);
        closed += 1;
      }
      return open.size;
    },
    close() {
      stopAccepting();
      deadlines.stop();
    },
  };
}

/** A plain App, or an SSLApp once the PEM files are known to be readable. */
async function createApp(tls: TlsFiles | undefined): Promise<TemplatedApp> {
  if (tls === undefined) return uws.App();
  // uWS does not say which file is wrong (it only fails later, at listen); check first.
  for (const file of [tls.certFile, tls.keyFile]) {
    try {
      await access(file, constants.R_OK);
    } catch (error) {
      throw new Error(`TLS file ${file} is not readable`, { cause: error });
    }
  }
  return uws.SSLApp({ cert_file_name: tls.certFile, key_file_name: tls.keyFile });
}

function offersPushSubprotocol(header: string): boolean {
  return header.split(',').some((offered) => offered.trim() === PUSH_SUBPROTOCOL);
}

function listen(
  app: TemplatedApp,
  host: string | undefined,
  port: number,
): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    const done = (listenSocket: us_listen_socket | false): void => {
      if (listenSocket === false) {
        reject(new Error(`cannot listen on ${host ?? '*'}:${port}`));
      } else {
        resolve(listenSocket);
      }
    };
    if (host === undefined) app.listen(port, done);
    else app.listen(host, port, done);
  });
}
