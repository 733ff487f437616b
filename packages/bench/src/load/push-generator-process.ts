/**
 * The application server under load: a child process that pre-builds a pool of real
 * pushes (VAPID-signed, aes128gcm) and then POSTs them open-loop at a fixed rate, each
 * scheduled at `start + i / rate` whatever happened to earlier ones, so a slow server
 * shows up as latency rather than as a politely slower generator. The scheduled time is
 * the push's send time; latency is measured from it.
 */
import { Agent, request } from 'node:http';
import { serveIpc } from '../processes/ipc-channel';
import {
  pushIdOfBody,
  SubscriptionCipher,
  VapidSigner,
  type Subscription,
} from './web-push-request';

const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const TICK_MS = 1;
const TTL_SECONDS = 3600;

interface PreparedPush {
  readonly id: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** What happened to one push: [id, scheduled ns, status (0 = transport error), answered ns]. */
export type SentPush = [string, number, number, number];

const subscriptionSets = new Map<string, Subscription[]>();
const ciphers = new Map<string, SubscriptionCipher>();
let prepared: PreparedPush[] = [];

function cipherFor(subscription: Subscription): SubscriptionCipher {
  let cipher = ciphers.get(subscription.endpoint);
  if (cipher === undefined) {
    cipher = new SubscriptionCipher(subscription);
    ciphers.set(subscription.endpoint, cipher);
  }
  return cipher;
}

function prepare(body: Record<string, unknown>): { prepared: number; prepMs: number } {
  const startedMs = performance.now();
  const subscriptions = subscriptionSets.get(String(body.set)) ?? [];
  if (subscriptions.length === 0) throw new Error(`no subscriptions in set ${String(body.set)}`);
  const count = Number(body.count);
  const bodyBytes = Number(body.bodyBytes ?? 64);
  const cacheMiss = body.vapid === 'miss';
  const signer = new VapidSigner(body.vapidKeys as { publicKey: string; privateKey: string });
  const audience = String(body.audience);
  const expiresAtSeconds = Math.floor(Date.now() / 1000) + 12 * 3600;
  const sharedAuthorization = signer.authorization(audience, expiresAtSeconds);
  const offset = Number(body.offset ?? 0);
  prepared = Array.from({ length: count }, (_, i) => {
    const subscription = subscriptions[(offset + i) % subscriptions.length] as Subscription;
    const plaintext = Buffer.alloc(bodyBytes, 0x20);
    plaintext.write(JSON.stringify({ seq: i }));
    const encrypted = cipherFor(subscription).encrypt(plaintext);
    return {
      id: pushIdOfBody(encrypted),
      url: new URL(subscription.endpoint),
      body: encrypted,
      headers: {
        TTL: String(TTL_SECONDS),
        'Content-Encoding': 'aes128gcm',
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(encrypted.length),
        Authorization: cacheMiss
          ? signer.authorization(audience, expiresAtSeconds, `mailto:bench+${i}@example.com`)
          : sharedAuthorization,
      },
    };
  });
  return { prepared: prepared.length, prepMs: performance.now() - startedMs };
}

function post(push: PreparedPush, onDone: (status: number) => void): void {
  const req = request(
    {
      host: push.url.hostname,
      port: push.url.port,
      path: push.url.pathname,
      method: 'POST',
      headers: push.headers,
      agent,
    },
    (res) => {
      res.resume();
      res.on('end', () => onDone(res.statusCode ?? 0));
    },
  );
  req.on('error', () => onDone(0));
  req.end(push.body);
}

/** Sends the prepared pool at `rate` per second; resolves once every push has its answer. */
function run(
  rate: number,
  answerTimeoutMs: number,
): Promise<{ sent: SentPush[]; sendSpanMs: number }> {
  const pool = prepared;
  prepared = [];
  const sent: SentPush[] = pool.map((p) => [p.id, 0, -1, 0]);
  const intervalNs = 1e9 / rate;
  const startNs = Number(process.hrtime.bigint());
  let next = 0;
  let answered = 0;
  return new Promise((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(guard);
      resolve({ sent, sendSpanMs: (Number(process.hrtime.bigint()) - startNs) / 1e6 });
    };
    const guard = setTimeout(finish, (pool.length / rate) * 1000 + answerTimeoutMs);
    const tick = (): void => {
      const nowNs = Number(process.hrtime.bigint());
      while (next < pool.length && startNs + next * intervalNs <= nowNs) {
        const index = next++;
        const record = sent[index] as SentPush;
        record[1] = startNs + index * intervalNs;
        post(pool[index] as PreparedPush, (status) => {
          record[2] = status;
          record[3] = Number(process.hrtime.bigint());
          if (++answered === pool.length) finish();
        });
      }
      if (next < pool.length) setTimeout(tick, TICK_MS);
    };
    if (pool.length === 0) finish();
    else tick();
  });
}

serveIpc(async (type, body) => {
  switch (type) {
    case 'set-subscriptions':
      subscriptionSets.set(String(body.set), body.subscriptions as Subscription[]);
      return { count: (body.subscriptions as unknown[]).length };
    case 'prepare':
      return prepare(body);
    case 'run':
      return run(Number(body.rate), Number(body.answerTimeoutMs ?? 10_000));
    default:
      throw new Error(`unknown request ${type}`);
  }
});
