/**
 * Everything a run needs besides the scenarios: nats-server, DynamoDB Local behind the
 * counting proxy, the tables, and factories for Herald nodes, baseline servers, user
 * agent fleets and the push generator, all owned by one {@link ProcessGroup} so that
 * `stop()` (or the exit hook) ends every process the run started.
 */
import { join } from 'node:path';
import { CryptoKeys } from '@herald/core';
import {
  createHeraldTables,
  freePorts,
  startDynamoDbLocal,
  startNatsServer,
  type DynamoDbServerFixture,
  type NatsServerFixture,
} from '@herald/testkit';
import { startHeraldNode, ProbedProcess } from './processes/herald-node';
import { IpcChannel } from './processes/ipc-channel';
import { ProcessGroup, type ChildHandle } from './processes/process-group';
import { VapidSigner } from './load/web-push-request';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;

export interface Fleet {
  readonly localAddress: string;
  readonly ipc: IpcChannel;
  readonly handle: ChildHandle;
}

export class BenchEnvironment {
  readonly group = new ProcessGroup();
  readonly vapid = new VapidSigner();
  private readonly cryptoKey = CryptoKeys.generateKey();
  private nats: NatsServerFixture | undefined;
  private dynamoDb: DynamoDbServerFixture | undefined;
  private proxy: IpcChannel | undefined;
  /** The proxy's address: what the Herald nodes and the PutItem baseline use. */
  dynamoDbEndpoint = '';
  natsUrl = '';
  private nodeCount = 0;
  private fleetCount = 0;

  async start(): Promise<void> {
    const [nats, dynamoDb] = await Promise.all([startNatsServer(), startDynamoDbLocal()]);
    this.nats = nats;
    this.dynamoDb = dynamoDb;
    this.natsUrl = nats.url;
    const upstreamPort = new URL(dynamoDb.endpoint).port;
    const proxy = this.group.fork(
      'dynamodb-proxy',
      join(__dirname, 'processes', 'dynamodb-counting-proxy.js'),
      [upstreamPort],
    );
    const line = await proxy.waitForLine(/^listening \d+/, START_TIMEOUT_MS);
    this.dynamoDbEndpoint = `http://${HOST}:${line.split(' ')[1]}`;
    this.proxy = new IpcChannel('dynamodb-proxy', proxy.child);
    await createHeraldTables(this.commonEnv(''));
  }

  /** DynamoDB requests by operation since the proxy started. */
  dynamoDbCounts(): Promise<Record<string, number>> {
    if (this.proxy === undefined) throw new Error('not started');
    return this.proxy.request('counts');
  }

  private commonEnv(publicOrigin: string): Record<string, string> {
    return {
      HERALD_CRYPTO_KEYS: this.cryptoKey,
      HERALD_NATS_URL: this.natsUrl,
      HERALD_DYNAMODB_ENDPOINT: this.dynamoDbEndpoint,
      ...(publicOrigin === '' ? {} : { HERALD_PUBLIC_URL: publicOrigin }),
      HERALD_HOST: HOST,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_SHUTDOWN_TIMEOUT_MS: '3000',
      // Agents per node reach 19,000; the default cap is unlimited, the drain limit is not hit.
    };
  }

  /** An endpoint node on its own port; its origin is the public URL (the VAPID `aud`). */
  async startEndpointNode(): Promise<{ node: ProbedProcess; origin: string }> {
    const [httpPort, opsPort] = await freePorts(2);
    const origin = `http://${HOST}:${httpPort}`;
    const node = await startHeraldNode(this.group, `endpoint-${++this.nodeCount}`, 'endpoint', {
      ...this.commonEnv(origin),
      HERALD_HTTP_PORT: String(httpPort),
      HERALD_OPS_PORT: String(opsPort),
    });
    return { node, origin };
  }

  /** `count` connection nodes sharing one WebSocket port (SO_REUSEPORT when count > 1). */
  async startConnectionNodes(
    count: number,
    publicOrigin: string,
  ): Promise<{ nodes: ProbedProcess[]; url: string }> {
    const [wsPort, ...opsPorts] = await freePorts(count + 1);
    const nodes: ProbedProcess[] = [];
    // One at a time: uWS must bind the shared port with SO_REUSEPORT in every process.
    for (let i = 0; i < count; i++) {
      const n = ++this.nodeCount;
      nodes.push(
        await startHeraldNode(this.group, `connection-${n}`, 'connection', {
          ...this.commonEnv(publicOrigin),
          HERALD_WS_PORT: String(wsPort),
          HERALD_OPS_PORT: String(opsPorts[i]),
          HERALD_NODE_ID: `bench-connection-${n}`,
        }),
      );
    }
    return { nodes, url: `ws://${HOST}:${wsPort}/` };
  }

  /**
   * `count` bare uWS baseline servers sharing one port; given the floor endpoint's origin,
   * their registrations hand out push endpoints there (see floor-endpoint-process).
   */
  async startBareServers(
    count: number,
    floorOrigin?: string,
  ): Promise<{ servers: ProbedProcess[]; url: string }> {
    const [port] = await freePorts(1);
    const servers: ProbedProcess[] = [];
    for (let i = 0; i < count; i++) {
      const handle = this.group.fork(
        `bare-uws-${i + 1}`,
        join(__dirname, 'load', 'bare-uws-server-process.js'),
        floorOrigin === undefined ? [String(port)] : [String(port), floorOrigin],
        {
          execArgv: ['--expose-gc'],
        },
      );
      await handle.waitForLine(/^listening \d+/, START_TIMEOUT_MS);
      servers.push(new ProbedProcess(handle));
    }
    return { servers, url: `ws://${HOST}:${port}/` };
  }

  /** The floor pipeline's endpoint (a bare node:http server); its origin is the VAPID `aud`. */
  async startFloorEndpoint(): Promise<{ node: ProbedProcess; origin: string }> {
    const handle = this.group.fork(
      'floor-endpoint',
      join(__dirname, 'load', 'floor-endpoint-process.js'),
      [this.natsUrl, this.dynamoDbEndpoint],
    );
    const line = await handle.waitForLine(/^listening \d+/, START_TIMEOUT_MS);
    return { node: new ProbedProcess(handle), origin: `http://${HOST}:${line.split(' ')[1]}` };
  }

  /** User-agent fleets, each bound to its own loopback address (127.0.0.2, .3, …). */
  startFleets(count: number): Fleet[] {
    return Array.from({ length: count }, () => {
      const localAddress = `127.0.0.${2 + this.fleetCount++}`;
      const handle = this.group.fork(
        `fleet-${localAddress}`,
        join(__dirname, 'load', 'agent-fleet-process.js'),
        [localAddress],
        {
          // ws clients hold more JS per socket than uWS; leave them room.
          execArgv: ['--max-old-space-size=4096'],
        },
      );
      return { localAddress, handle, ipc: new IpcChannel(handle.name, handle.child) };
    });
  }

  startGenerator(): IpcChannel {
    const handle = this.group.fork(
      'push-generator',
      join(__dirname, 'load', 'push-generator-process.js'),
      [],
    );
    return new IpcChannel(handle.name, handle.child);
  }

  vapidKeys(): { publicKey: string; privateKey: string } {
    return { publicKey: this.vapid.publicKey, privateKey: this.vapid.exportPrivateKey() };
  }

  async stop(): Promise<void> {
    await this.group.stopAll();
    await Promise.allSettled([this.dynamoDb?.stop(), this.nats?.stop()]);
  }
}
