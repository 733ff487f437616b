import {
  generateVapidKeys,
  sendPush,
  vapidHeaders,
  type HttpReply,
  type PushSubscriptionJson,
  type VapidDetails,
} from '@herald/testkit';
import type { HeraldCluster } from './cluster';

/**
 * An application server that pushes through any endpoint node of a cluster, as if a
 * load balancer had picked it: the URL is re-addressed to that node, while the VAPID
 * token names the shared public origin (the only audience the nodes accept). The token
 * is signed once and reused until it nears expiry, as real senders do.
 */
export class ClusterSender {
  /** The key pair subscriptions are bound to (`register(channel, vapid.publicKey)`). */
  readonly vapid: VapidDetails = { subject: 'mailto:e2e@example.com', ...generateVapidKeys() };
  private authorization: { header: string; expiresAtMs: number } | undefined;

  constructor(private readonly cluster: HeraldCluster) {}

  /** Encrypts `payload` (aes128gcm) for the subscription and POSTs it to endpoint node `via`. */
  send(
    subscription: PushSubscriptionJson,
    payload: string,
    options: { via: number; ttlSeconds?: number },
  ): Promise<HttpReply> {
    return sendPush(
      {
        endpoint: this.cluster.endpointVia(subscription.endpoint, options.via),
        keys: subscription.keys,
      },
      payload,
      {
        ttl: options.ttlSeconds ?? 600,
        contentEncoding: 'aes128gcm',
        headers: { Authorization: this.vapidAuthorization() },
      },
    );
  }

  private vapidAuthorization(): string {
    const nowMs = Date.now();
    if (this.authorization === undefined || this.authorization.expiresAtMs - nowMs < 600_000) {
      const expiresAtMs = nowMs + 3_600_000;
      const headers = vapidHeaders({
        audience: this.cluster.publicOrigin,
        vapid: this.vapid,
        contentEncoding: 'aes128gcm',
        expiresAtSeconds: Math.floor(expiresAtMs / 1000),
      });
      this.authorization = { header: headers['Authorization'] ?? '', expiresAtMs };
    }
    return this.authorization.header;
  }
}
