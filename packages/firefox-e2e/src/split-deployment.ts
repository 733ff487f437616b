import { CryptoKeys } from '@herald/core';
import {
  createHeraldTables,
  freePorts,
  HeraldProcess,
  startNatsServer,
  type NatsServerFixture,
} from '@herald/testkit';

const HOST = '127.0.0.1';

/** Herald as it runs in production, on one machine: every part a separate process. */
export interface SplitDeployment {
  /** `ws://127.0.0.1:<port>/` of the connection node. */
  readonly wsUrl: string;
  /** `HERALD_PUBLIC_URL`: the endpoint node's origin. */
  readonly publicOrigin: string;
  /** The herald processes: local DynamoDB, connection node, endpoint node. */
  readonly processes: readonly HeraldProcess[];
  /** Pino error lines of every herald process, each headed by its name. */
  errorLines(): string[];
  /** Stops the nodes, then DynamoDB and NATS. */
  stop(): Promise<void>;
}

/**
 * nats-server, `herald local-dynamodb` (dynalite, in memory), `herald tables create`,
 * one `herald connection` and one `herald endpoint` node. Rejects, after stopping what
 * it started, when any part fails to come up.
 */
export async function startSplitDeployment(): Promise<SplitDeployment> {
  const started: { stop(): Promise<unknown> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const part of started.reverse()) await part.stop();
  };
  try {
    const nats: NatsServerFixture = await startNatsServer();
    started.push(nats);
    const [dynamoPort, wsPort, connectionOpsPort, httpPort, endpointOpsPort] = await freePorts(5);
    const dynamo = new HeraldProcess(
      'local-dynamodb',
      ['local-dynamodb', '--port', String(dynamoPort), '--host', HOST],
      {},
    );
    started.push(dynamo);
    await dynamo.start();

    const publicOrigin = `http://${HOST}:${String(httpPort)}`;
    const common: Record<string, string> = {
      HERALD_CRYPTO_KEYS: CryptoKeys.generateKey(),
      HERALD_NATS_URL: nats.url,
      HERALD_DYNAMODB_ENDPOINT: `http://${HOST}:${String(dynamoPort)}`,
      HERALD_PUBLIC_URL: publicOrigin,
      HERALD_HOST: HOST,
      HERALD_LOG_LEVEL: 'info',
      HERALD_SHUTDOWN_TIMEOUT_MS: '2000',
    };
    await createHeraldTables(common);

    const connection = new HeraldProcess('connection', ['connection'], {
      ...common,
      HERALD_WS_PORT: String(wsPort),
      HERALD_OPS_PORT: String(connectionOpsPort),
      HERALD_NODE_ID: 'connection-firefox',
    });
    const endpoint = new HeraldProcess('endpoint', ['endpoint'], {
      ...common,
      HERALD_HTTP_PORT: String(httpPort),
      HERALD_OPS_PORT: String(endpointOpsPort),
    });
    started.push(connection, endpoint);
    await Promise.all([connection.start(), endpoint.start()]);

    const processes = [dynamo, connection, endpoint];
    return {
      wsUrl: `ws://${HOST}:${String(wsPort)}/`,
      publicOrigin,
      processes,
      errorLines: () =>
        processes.flatMap((p) => p.errorLines().map((line) => `${p.name}: ${line}`)),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
