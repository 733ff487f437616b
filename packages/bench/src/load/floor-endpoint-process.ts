/**
 * The floor endpoint: the I/O of an endpoint node's push and nothing else. For each
 * `POST /wpush/<socket>/<channel>` it reads the body, does one GetItem (where a node
 * reads the router row) and one PutItem (the stored message) on DynamoDB Local through
 * the run's counting proxy, publishes the push on NATS, and answers 201. No token, VAPID
 * or header checks, no signing, no metrics, no logging: what it spends per push is what
 * this machine charges any Node process for that I/O, the floor Herald's endpoint is
 * compared with. Usage: `node floor-endpoint-process.js <natsUrl> <dynamoDbEndpoint>`;
 * prints `listening <port>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from '@nats-io/transport-node';
import { selfProbe, serveIpc } from '../processes/ipc-channel';
import { FLOOR_SUBJECT, FLOOR_TABLE, FloorDynamoDb } from './floor-dynamodb';

const [natsUrl = '', dynamoDbEndpoint = ''] = process.argv.slice(2);
const TTL_SECONDS = 3600;

async function main(): Promise<void> {
  const storage = new FloorDynamoDb(dynamoDbEndpoint);
  await storage.ensureTable(FLOOR_TABLE);
  const nats = await connect({ servers: natsUrl, name: 'bench-floor-endpoint' });
  let sequence = 0;

  const push = async (socket: string, channel: string, body: Buffer): Promise<string> => {
    const version = `${process.pid}.${++sequence}`;
    const data = body.toString('base64url');
    await storage.call('GetItem', {
      TableName: FLOOR_TABLE,
      Key: { pk: { S: socket }, sk: { S: 'router' } },
    });
    await storage.call('PutItem', {
      TableName: FLOOR_TABLE,
      Item: {
        pk: { S: socket },
        sk: { S: version },
        channel: { S: channel },
        data: { S: data },
        expiry: { N: String(Math.floor(Date.now() / 1000) + TTL_SECONDS) },
      },
    });
    nats.publish(FLOOR_SUBJECT, JSON.stringify({ s: socket, c: channel, v: version, d: data }));
    return version;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const [, route, socket, channel] = (req.url ?? '').split('/');
    if (req.method !== 'POST' || route !== 'wpush' || !socket || !channel) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      push(socket, channel, Buffer.concat(chunks)).then(
        (version) => res.writeHead(201, { Location: `/m/${version}`, TTL: TTL_SECONDS }).end(),
        () => res.writeHead(503).end(),
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
  });

  serveIpc((type, body) => {
    if (type === 'probe') return selfProbe(body);
    throw new Error(`unknown request ${type}`);
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
