import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushSubscriptionInfo } from '@herald/testkit';
import { appPage, gatePage, serviceWorker } from './app-pages';

/** Something the browser told the test, in arrival order. */
export type PageReport =
  | { kind: 'subscription'; atMs: number; resumed: boolean; subscription: BrowserSubscription }
  | { kind: 'received'; atMs: number; text: string | null }
  | { kind: 'unsubscribed'; atMs: number; unsubscribed: boolean }
  | { kind: 'page-error'; atMs: number; message: string };

/** `PushSubscription.toJSON()` as Firefox produces it. */
export interface BrowserSubscription extends PushSubscriptionInfo {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** An instruction the app page picks up by polling `GET /command`. */
export type PageCommand = { type: 'unsubscribe' };

const MAX_REPORT_BYTES = 64 * 1024;

/**
 * The test's web application on `http://localhost:<port>` (a secure context without
 * TLS): the gate, the app page, its service worker, and the endpoints the page reports
 * to. Also Firefox's Remote Settings "server", which 404s everything. Tests wait on
 * reports with {@link waitForReport} from a {@link mark}, so a report from before the
 * mark (an earlier launch) can never satisfy a later wait.
 */
export class AppServer {
  private readonly reports: PageReport[] = [];
  private readonly listeners = new Set<() => void>();
  private readonly commands: PageCommand[] = [];
  private pushReady: () => boolean = () => false;

  private constructor(
    private readonly server: http.Server,
    /** `http://localhost:<port>`: the app's origin. */
    readonly origin: string,
    /** `http://127.0.0.1:<port>`: the same server by address, for Firefox's own services. */
    readonly loopbackOrigin: string,
    private readonly applicationServerKey: string,
  ) {}

  /** Listens on a free loopback port. `applicationServerKey` is the VAPID public key (base64url). */
  static async start(o: { applicationServerKey: string }): Promise<AppServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const app = new AppServer(
      server,
      `http://localhost:${port}`,
      `http://127.0.0.1:${port}`,
      o.applicationServerKey,
    );
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      app.route(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    return app;
  }

  /** The URL Firefox starts on: the gate, which moves on to the app once the push client is up. */
  gateUrl(): string {
    return `${this.origin}/gate?next=${encodeURIComponent('/')}`;
  }

  /** What `GET /push-ready` consults; set it to the running browser's readiness at each launch. */
  gateOn(pushReady: () => boolean): void {
    this.pushReady = pushReady;
  }

  /** Queues an instruction for the app page. */
  command(command: PageCommand): void {
    this.commands.push(command);
  }

  /** A cursor: reports that arrive after this call. */
  mark(): number {
    return this.reports.length;
  }

  /** Every report at or after `from`. */
  reportsSince(from: number): readonly PageReport[] {
    return this.reports.slice(from);
  }

  /**
   * Resolves with the first report of `kind` at or after `from` that `accept` takes.
   * Rejects at once if the page reports an error, or after `timeoutMs`.
   */
  waitForReport<K extends PageReport['kind']>(
    kind: K,
    from: number,
    o: { timeoutMs: number; accept?: (r: Extract<PageReport, { kind: K }>) => boolean },
  ): Promise<Extract<PageReport, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
        outcome();
      };
      const check = (): void => {
        for (const report of this.reports.slice(from)) {
          if (report.kind === 'page-error') {
            return finish(() => reject(new Error(`the app page failed: ${report.message}`)));
          }
          if (report.kind !== kind) continue;
          const wanted = report as Extract<PageReport, { kind: K }>;
          if (o.accept === undefined || o.accept(wanted)) return finish(() => resolve(wanted));
        }
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(
              new Error(
                `no ${kind} report in ${o.timeoutMs} ms; since the mark: ${JSON.stringify(this.reports.slice(from).map((r) => r.kind))}`,
              ),
            ),
          ),
        o.timeoutMs,
      );
      this.listeners.add(check);
      check();
    });
  }

  /** Stops listening and drops open connections (the page's polls). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    switch (route) {
      case 'GET /gate':
        return send(res, 200, 'text/html', gatePage());
      case 'GET /':
        return send(res, 200, 'text/html', appPage(this.applicationServerKey));
      case 'GET /sw.js':
        return send(res, 200, 'text/javascript', serviceWorker());
      case 'GET /push-ready':
        return send(res, this.pushReady() ? 200 : 503, 'text/plain', '');
      case 'GET /command': {
        const command = this.commands.shift();
        if (command === undefined) return send(res, 204, 'text/plain', '');
        return send(res, 200, 'application/json', JSON.stringify(command));
      }
      case 'POST /subscription':
      case 'POST /received':
      case 'POST /unsubscribed':
      case 'POST /page-error': {
        const body = (await readJson(req)) as Record<string, unknown>;
        this.record(url.pathname, body);
        return send(res, 204, 'text/plain', '');
      }
      default:
        // Remote Settings, favicon, anything else: a plain 404 is what Firefox copes with.
        return send(res, 404, 'text/plain', 'not found');
    }
  }

  private record(path: string, body: Record<string, unknown>): void {
    const atMs = Date.now();
    switch (path) {
      case '/subscription':
        this.reports.push({
          kind: 'subscription',
          atMs,
          resumed: body.resumed === true,
          subscription: body.subscription as BrowserSubscription,
        });
        break;
      case '/received':
        this.reports.push({
          kind: 'received',
          atMs,
          text: typeof body.text === 'string' ? body.text : null,
        });
        break;
      case '/unsubscribed':
        this.reports.push({ kind: 'unsubscribed', atMs, unsubscribed: body.unsubscribed === true });
        break;
      default:
        this.reports.push({ kind: 'page-error', atMs, message: String(body.message) });
    }
    for (const listener of [...this.listeners]) listener();
  }
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REPORT_BYTES) throw new Error('report too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
