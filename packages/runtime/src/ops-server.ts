import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A dependency probe: resolves when the dependency answers, rejects with why it does not. */
export type HealthCheck = () => Promise<void>;

/** What `/__version__` shows (Dockerflow's shape). */
export interface VersionInfo {
  readonly version: string;
  readonly commit: string;
  readonly build: string;
}

export interface OpsServerOptions {
  readonly port: number;
  /** Bind address; default `0.0.0.0`. */
  readonly host?: string;
  /** Run on every `/__heartbeat__`, in parallel, e.g. `{ dynamodb, nats }`. */
  readonly checks: Readonly<Record<string, HealthCheck>>;
  readonly registry: Registry;
  readonly version: VersionInfo;
  /** How long one check may take before it counts as failed; default 5000 ms. */
  readonly checkTimeoutMs?: number;
}

export interface OpsServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /**
   * `false` makes `/__heartbeat__` answer 503 `draining` without running the checks, so a
   * load balancer stops sending traffic before the node closes. `/__lbheartbeat__` keeps
   * answering 200: the process is alive.
   */
  setReady(ready: boolean): void;
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * The operations HTTP server (never exposed publicly):
 * - `GET /__lbheartbeat__` → 200 `{}` while the process runs;
 * - `GET /__heartbeat__` → 200 `{"status":"ok","checks":{name:"ok"}}` when every check
 *   passes within its timeout, else 503 with `"status":"error"`, each check's `"ok"` or
 *   `"error"`, and `errors: {name: message}` for the failing ones;
 * - `GET /__version__` → the version object;
 * - `GET /metrics` → the registry in Prometheus text format;
 * - anything else → 404 (405 for another method on a known path).
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const checkTimeoutMs = options.checkTimeoutMs ?? 5000;
  let ready = true;

  const routes: Record<string, () => Promise<Reply>> = {
    '/__lbheartbeat__': () => Promise.resolve(json(200, {})),
    '/__heartbeat__': async () =>
      ready ? heartbeat(options.checks, checkTimeoutMs) : json(503, { status: 'draining' }),
    '/__version__': () => Promise.resolve(json(200, options.version)),
    '/metrics': async () => ({
      status: 200,
      contentType: options.registry.contentType,
      body: await options.registry.metrics(),
    }),
  };

  const server = createServer((request, response) => {
    void answer(routes, request, response);
  });
  // Keep-alive sockets from scrapers must not hold `close()` open.
  server.keepAliveTimeout = 5000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    setReady(value) {
      ready = value;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

async function answer(
  routes: Record<string, () => Promise<Reply>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  let reply: Reply;
  if (route === undefined) {
    reply = json(404, { status: 'not-found' });
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    reply = json(405, { status: 'method-not-allowed' });
  } else {
    try {
      reply = await route();
    } catch (error) {
      reply = json(500, { status: 'error', error: messageOf(error) });
    }
  }
  response.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : reply.body);
}

async function heartbeat(
  checks: Readonly<Record<string, HealthCheck>>,
  timeoutMs: number,
): Promise<Reply> {
  const names = Object.keys(checks);
  const outcomes = await Promise.all(names.map((name) => runCheck(checks[name]!, timeoutMs)));
  const statuses: Record<string, 'ok' | 'error'> = {};
  const errors: Record<string, string> = {};
  names.forEach((name, i) => {
    const error = outcomes[i];
    statuses[name] = error === undefined ? 'ok' : 'error';
    if (error !== undefined) errors[name] = error;
  });
  if (Object.keys(errors).length === 0) return json(200, { status: 'ok', checks: statuses });
  return json(503, { status: 'error', checks: statuses, errors });
}

/** Resolves `undefined` when the check passed, else the reason it did not. */
async function runCheck(check: HealthCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      check().then(
        () => undefined,
        (error: unknown) => messageOf(error),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
