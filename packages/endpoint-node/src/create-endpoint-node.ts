/**
 * The endpoint node's composition root: the express app on a listening HTTP (or HTTPS)
 * server, with a shutdown that stops taking connections and lets in-flight pushes finish
 * (a push half-way through `save` must still get its 201 or 503).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createEndpointApp, type EndpointApp, type EndpointAppDeps } from './create-endpoint-app';

export interface EndpointNodeOptions extends EndpointAppDeps {
  /** 0 picks a free port; read the chosen one from `EndpointNode.port`. */
  readonly port: number;
  /** Default: all interfaces. */
  readonly host?: string;
  /**
   * Serve HTTPS with this PEM certificate (chain) and key, for installs without a
   * TLS-terminating proxy. Read once at start; a missing or unreadable file rejects.
   */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface EndpointNode {
  /** The port actually listened on. */
  readonly port: number;
  readonly app: EndpointApp;
  /**
   * Stops accepting connections, closes idle keep-alive connections, and resolves once
   * every in-flight request has been answered, or after `timeoutMs` (default 10 s), when
   * the remaining connections are cut. Idempotent.
   */
  close(o?: { timeoutMs?: number }): Promise<void>;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Builds the app and listens. Rejects if the port cannot be bound. */
export async function createEndpointNode(o: EndpointNodeOptions): Promise<EndpointNode> {
  const app = createEndpointApp(o);
  const server = await serverFor(app, o.tls);
  let closing: Promise<void> | undefined;

  // During shutdown a keep-alive connection must not wait for its next request: answer
  // with `Connection: close`, and drop each connection as soon as it goes idle (it does
  // so just after its response's 'finish', hence the setImmediate).
  server.on('request', (_req, res: ServerResponse) => {
    if (closing !== undefined) res.setHeader('Connection', 'close');
    res.once('finish', () => {
      if (closing !== undefined) setImmediate(() => server.closeIdleConnections());
    });
  });

  await listen(server, o.port, o.host);
  const port = (server.address() as AddressInfo).port;
  o.log.info({ port, tls: o.tls !== undefined }, 'endpoint node listening');

  return {
    port,
    app,
    close(opts = {}) {
      closing ??= shutDown(server, opts.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
      return closing;
    },
  };
}

type AnyServer = Server | TlsServer;

async function serverFor(app: EndpointApp, tls: EndpointNodeOptions['tls']): Promise<AnyServer> {
  if (tls === undefined) return createServer(app);
  const [cert, key] = await Promise.all([readFile(tls.certFile), readFile(tls.keyFile)]);
  return createTlsServer({ cert, key }, app);
}

function listen(server: AnyServer, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function shutDown(server: AnyServer, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
  try {
    await closed;
  } finally {
    clearTimeout(deadline);
  }
}
