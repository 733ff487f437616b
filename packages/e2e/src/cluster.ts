import { CryptoKeys } from '@herald/core';
import {
  createHeraldTables,
  freePorts,
  HeraldProcess,
  startDynamoDbLocal,
  startNatsServer,
  type DynamoDbServerFixture,
  type NatsServerFixture,
} from '@herald/testkit';

const HOST = '127.0.0.1';

export interface ClusterOptions {
  readonly connectionNodes: number;
  readonly endpointNodes: number;
  /** Node log level; `warn` keeps a 1,000-push run's output small. */
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * `HERALD_SHUTDOWN_TIMEOUT_MS`. A connection node spreads its socket closes over half
   * of it, so a short value keeps SIGTERM tests quick.
   */
  readonly shutdownTimeoutMs?: number;
}

/** A connection node of the cluster. */
export interface ClusterConnectionNode {
  /** `HERALD_NODE_ID`, the node's address on the bus and in the router table. */
  readonly nodeId: string;
  /** Where user agents connect: `ws://127.0.0.1:<port>/`. */
  readonly wsUrl: string;
  readonly opsUrl: string;
  readonly process: HeraldProcess;
}

/** An endpoint node of the cluster. */
export interface ClusterEndpointNode {
  /** Where this node listens; pushes sent here carry the shared public origin's VAPID `aud`. */
  readonly origin: string;
  readonly opsUrl: string;
  readonly process: HeraldProcess;
}

/**
 * The split deployment on one machine, as real processes: a nats-server, DynamoDB Local
 * (tables made by `herald tables create`), N `herald connection` and M `herald endpoint`
 * nodes, all ports chosen up front so any node (or NATS) can be stopped and started
 * again at the same address. The endpoint nodes stand behind one public origin, as they
 * would behind a load balancer: every `pushEndpoint` names the first endpoint node,
 * and {@link endpointVia} re-addresses a push to any of them.
 *
 * `stop()` in `afterAll` ends everything (SIGTERM, then SIGKILL after a deadline).
 */
export class HeraldCluster {
  private constructor(
    readonly nats: NatsServerFixture,
    readonly dynamoDb: DynamoDbServerFixture,
    /** `HERALD_CRYPTO_KEYS` of every node: lets a test open message ids it was given. */
    readonly cryptoKeys: CryptoKeys,
    /** `HERALD_PUBLIC_URL`: the only VAPID audience the endpoints accept. */
    readonly publicOrigin: string,
    readonly connectionNodes: readonly ClusterConnectionNode[],
    readonly endpointNodes: readonly ClusterEndpointNode[],
  ) {}

  static async start(options: ClusterOptions): Promise<HeraldCluster> {
    const started: { stop(): Promise<unknown> }[] = [];
    try {
      const [nats, dynamoDb] = await Promise.all([
        startNatsServer().then((s) => (started.push(s), s)),
        startDynamoDbLocal().then((s) => (started.push(s), s)),
      ]);
      const portCount = 2 * (options.connectionNodes + options.endpointNodes);
      const ports = await freePorts(portCount);
      const nextPort = (): number => ports.shift()!;
      const endpointPorts = Array.from({ length: options.endpointNodes }, nextPort);
      const publicOrigin = `http://${HOST}:${endpointPorts[0] ?? nextPort()}`;
      const cryptoKey = CryptoKeys.generateKey();
      const common: Record<string, string> = {
        HERALD_CRYPTO_KEYS: cryptoKey,
        HERALD_NATS_URL: nats.url,
        HERALD_DYNAMODB_ENDPOINT: dynamoDb.endpoint,
        HERALD_PUBLIC_URL: publicOrigin,
        HERALD_HOST: HOST,
        HERALD_LOG_LEVEL: options.logLevel ?? 'warn',
        HERALD_SHUTDOWN_TIMEOUT_MS: String(options.shutdownTimeoutMs ?? 2_000),
        HERALD_DEPENDENCY_TIMEOUT_MS: '10000',
      };
      await createHeraldTables(common);

      const connectionNodes = Array.from({ length: options.connectionNodes }, (_, i) => {
        const wsPort = nextPort();
        const opsPort = nextPort();
        const nodeId = `connection-${letter(i)}`;
        const env = {
          ...common,
          HERALD_WS_PORT: String(wsPort),
          HERALD_OPS_PORT: String(opsPort),
          HERALD_NODE_ID: nodeId,
        };
        return {
          nodeId,
          wsUrl: `ws://${HOST}:${wsPort}/`,
          opsUrl: `http://${HOST}:${opsPort}`,
          process: new HeraldProcess(nodeId, ['connection'], env),
        };
      });
      const endpointNodes = endpointPorts.map((httpPort, i) => {
        const opsPort = nextPort();
        const env = {
          ...common,
          HERALD_HTTP_PORT: String(httpPort),
          HERALD_OPS_PORT: String(opsPort),
        };
        return {
          origin: `http://${HOST}:${httpPort}`,
          opsUrl: `http://${HOST}:${opsPort}`,
          process: new HeraldProcess(`endpoint-${letter(i)}`, ['endpoint'], env),
        };
      });
      const cluster = new HeraldCluster(
        nats,
        dynamoDb,
        CryptoKeys.parse(cryptoKey),
        publicOrigin,
        connectionNodes,
        endpointNodes,
      );
      started.push(cluster);
      await Promise.all(cluster.nodes().map((node) => node.start()));
      return cluster;
    } catch (error) {
      await Promise.allSettled(started.reverse().map((s) => s.stop()));
      throw error;
    }
  }

  /** Every node process, connection nodes first. */
  nodes(): HeraldProcess[] {
    return [
      ...this.connectionNodes.map((n) => n.process),
      ...this.endpointNodes.map((n) => n.process),
    ];
  }

  connection(index: number): ClusterConnectionNode {
    const node = this.connectionNodes[index];
    if (node === undefined) throw new Error(`no connection node ${index}`);
    return node;
  }

  endpoint(index: number): ClusterEndpointNode {
    const node = this.endpointNodes[index];
    if (node === undefined) throw new Error(`no endpoint node ${index}`);
    return node;
  }

  /** The same push endpoint URL, addressed to endpoint node `index` instead of the public origin. */
  endpointVia(pushEndpoint: string, index: number): string {
    const url = new URL(pushEndpoint);
    if (url.origin !== this.publicOrigin) {
      throw new Error(`${pushEndpoint} is not under ${this.publicOrigin}`);
    }
    return `${this.endpoint(index).origin}${url.pathname}`;
  }

  /** What every node printed, headed by its name: for a failing test's message. */
  logs(): string {
    return this.nodes()
      .map((node) => `===== ${node.name}\n${node.output()}`)
      .join('\n');
  }

  /** Stops every node (in parallel), then DynamoDB Local and NATS. Idempotent. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes().map((node) => node.stop()));
    await Promise.allSettled([this.dynamoDb.stop(), this.nats.stop()]);
  }
}

function letter(index: number): string {
  return String.fromCharCode('a'.charCodeAt(0) + index);
}
