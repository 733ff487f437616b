import * as webpush from 'web-push';
import {
  CryptoKeys,
  InProcessBus,
  MonotonicMicros,
  openEndpointToken,
  sealMessageId,
  storageKeyFor,
  systemClock,
} from '@herald/core';
import type { MessageStore, NodeBus, NodeId, Notification, RouterStore } from '@herald/core';
import { createDynamoDbStores, createTables } from '@herald/storage-dynamodb';
import type { DynamoDbStores } from '@herald/storage-dynamodb';
import { startDynalite } from '@herald/testkit';
import type { DynamoDbServerFixture, Registration } from '@herald/testkit';
import { createConnectionNode } from '../../src';
import type { ConnectionNode, ConnectionNodeOptions, ConnectionSettings } from '../../src';
import { MemoryLogger } from './quiet-logger';

const PUBLIC_ORIGIN = 'http://push.test';

/**
 * One dynalite server, the real DynamoDB stores over it, an in-process bus, and any
 * number of connection nodes on loopback ports. `acceptPush` plays the endpoint node:
 * store first, then publish `deliver` to the owner (design.md §2).
 */
export class ConnectionWorld {
  readonly keys = CryptoKeys.parse(CryptoKeys.generateKey());
  readonly bus: NodeBus = new InProcessBus();
  readonly log = new MemoryLogger();
  private readonly nodes: ConnectionNode[] = [];
  private readonly micros = new MonotonicMicros();

  private constructor(
    private readonly dynalite: DynamoDbServerFixture,
    private readonly stores: DynamoDbStores,
  ) {}

  static async start(): Promise<ConnectionWorld> {
    const dynalite = await startDynalite();
    const log = new MemoryLogger();
    const options = {
      endpoint: dynalite.endpoint,
      routerTable: 'herald_router',
      messageTable: 'herald_message',
      log,
    };
    await createTables(options);
    return new ConnectionWorld(dynalite, createDynamoDbStores(options));
  }

  get routerStore(): RouterStore {
    return this.stores.routerStore;
  }

  get messageStore(): MessageStore {
    return this.stores.messageStore;
  }

  async startNode(
    nodeId: string,
    settings: Partial<ConnectionSettings> = {},
    extra: Pick<ConnectionNodeOptions, 'broadcastStore' | 'registry'> = {},
  ): Promise<ConnectionNode & { url: string }> {
    const node = await createConnectionNode({
      nodeId: nodeId as NodeId,
      port: 0,
      host: '127.0.0.1',
      publicOrigin: PUBLIC_ORIGIN,
      keys: this.keys,
      routerStore: this.routerStore,
      messageStore: this.messageStore,
      bus: this.bus,
      clock: systemClock,
      log: this.log,
      settings,
      ...extra,
    });
    this.nodes.push(node);
    return Object.assign(node, { url: `ws://127.0.0.1:${node.port}/` });
  }

  /**
   * Accepts a push for a registration as an endpoint node would: encrypts `payload` with
   * web-push for the subscription, stores it unless TTL is 0, publishes `deliver` to the
   * owner named in the router record.
   */
  async acceptPush(
    registration: Registration,
    payload: string | undefined,
    options: {
      ttlSeconds?: number;
      topic?: string;
      contentEncoding?: 'aes128gcm' | 'aesgcm';
      publish?: boolean;
    } = {},
  ): Promise<Notification> {
    const token = registration.endpoint.split('/').pop() ?? '';
    const apiVersion = registration.endpoint.includes('/wpush/v2/') ? 2 : 1;
    const opened = openEndpointToken(this.keys, apiVersion, token);
    if (opened === undefined) throw new Error('endpoint token does not open');
    const { uaid, channelId } = opened;
    const receivedAtMs = Date.now();
    const storageKey = storageKeyFor({
      channelId,
      topic: options.topic,
      receivedAtUs: this.micros.next(receivedAtMs),
      writerId: this.micros.writerId,
    });
    const ttlSeconds = options.ttlSeconds ?? 60;
    let body: { data?: string; headers?: Notification['headers'] } = {};
    if (payload !== undefined) {
      const contentEncoding = options.contentEncoding ?? 'aes128gcm';
      const details = webpush.generateRequestDetails(registration.subscription, payload, {
        contentEncoding,
        TTL: ttlSeconds,
      });
      const clean = (v: unknown): string | undefined =>
        typeof v === 'string' ? v.replace(/"/g, '').replace(/=+(?=[,;]|$)/g, '') : undefined;
      const h = details.headers as Record<string, unknown>;
      body = {
        data: Buffer.from(details.body).toString('base64url'),
        headers:
          contentEncoding === 'aes128gcm'
            ? { encoding: 'aes128gcm' }
            : {
                encoding: 'aesgcm',
                encryption: clean(h['Encryption'])!,
                crypto_key: clean(h['Crypto-Key'])!,
              },
      };
    }
    const notification: Notification = {
      uaid,
      channelId,
      messageId: sealMessageId(this.keys, { uaid, channelId, storageKey }),
      storageKey,
      ttlSeconds,
      receivedAtMs,
      urgency: 'normal',
      ...(options.topic === undefined ? {} : { topic: options.topic }),
      ...body,
    };
    if (ttlSeconds > 0) await this.messageStore.save(notification);
    if (options.publish !== false) {
      const record = await this.routerStore.get(uaid);
      if (record !== undefined)
        await this.bus.publish(record.nodeId, { type: 'deliver', notification, hops: 0 });
    }
    return notification;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) await node.close();
    await this.bus.close();
    this.stores.close();
    await this.dynalite.stop();
  }
}
