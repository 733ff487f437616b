/**
 * The baseline: a bare uWebSockets.js server with the same socket settings a connection
 * node uses and nothing else. It answers `hello` and `register` with canned replies (so
 * the same fleets drive it), holds idle sockets, and on request sends notification
 * frames at a fixed rate whose `data` is the send time, for the send→receive baseline.
 *
 * Asked to `join-floor`, it also becomes the floor pipeline's connection server (see
 * floor-endpoint-process): it takes each push the floor endpoint publishes on NATS,
 * sends it to its socket as a notification frame, and deletes acked messages from
 * DynamoDB Local in batches, as a connection node does — the I/O of a connection node's
 * push with none of its work, so what it spends per push is the floor.
 *
 * Usage: `node --expose-gc bare-uws-server-process.js <port> [<floor endpoint origin>]`
 * (port 0 = any); prints `listening <port>`. Several may share a port (uWS listens with
 * SO_REUSEPORT). With a floor origin, registrations answer with push endpoints there.
 */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import * as uws from 'uWebSockets.js';
import { selfProbe, serveIpc } from '../processes/ipc-channel';
import {
  FLOOR_DELETE_BATCH,
  FLOOR_DELETE_WINDOW_MS,
  FLOOR_SUBJECT,
  FLOOR_TABLE,
  FloorDynamoDb,
  type Item,
} from './floor-dynamodb';

interface SocketData {
  readonly id: number;
}

const sockets = new Map<number, uws.WebSocket<SocketData>>();
let nextId = 0;
const app = uws.App();
const floorOrigin = process.argv[3];
/** Set once the server joined the floor pipeline: where acked messages are deleted. */
let floorDeletes: ((keys: Item[]) => void) | undefined;

app.ws<SocketData>('/', {
  maxPayloadLength: 65_536,
  idleTimeout: 300,
  sendPingsAutomatically: true,
  upgrade: (res, req, context) => {
    res.upgrade<SocketData>(
      { id: nextId++ },
      req.getHeader('sec-websocket-key'),
      req.getHeader('sec-websocket-protocol').includes('push-notification')
        ? 'push-notification'
        : '',
      req.getHeader('sec-websocket-extensions'),
      context,
    );
  },
  open: (socket) => {
    sockets.set(socket.getUserData().id, socket);
  },
  message: (socket, message) => {
    const frame = JSON.parse(Buffer.from(message).toString('utf8')) as {
      messageType?: string;
      channelID?: string;
      updates?: { version?: string }[];
    };
    if (frame.messageType === 'ack') {
      const pk = { S: String(socket.getUserData().id) };
      floorDeletes?.((frame.updates ?? []).map((u) => ({ pk, sk: { S: String(u.version) } })));
      return;
    }
    if (frame.messageType === 'hello') {
      socket.send(
        `{"messageType":"hello","uaid":"${randomBytes(16).toString('hex')}","status":200,"use_webpush":true,"broadcasts":{}}`,
      );
    } else if (frame.messageType === 'register') {
      socket.send(
        `{"messageType":"register","channelID":"${frame.channelID}","status":200,"pushEndpoint":"${
          floorOrigin === undefined
            ? 'http://bare.invalid/wpush'
            : `${floorOrigin}/wpush/${socket.getUserData().id}/${frame.channelID}`
        }"}`,
      );
    }
  },
  close: (socket) => {
    sockets.delete(socket.getUserData().id);
  },
});

const port = Number(process.argv[2] ?? 0);
app.listen('127.0.0.1', port, (listenSocket) => {
  if (listenSocket === false) {
    console.error(`cannot listen on ${port}`);
    process.exit(1);
  }
  console.log(`listening ${uws.us_socket_local_port(listenSocket)}`);
});

/** Sends `count` frames at `rate`/s, round-robin over the open sockets. */
function sendAtRate(rate: number, count: number): Promise<{ sent: number }> {
  const targets = [...sockets.values()];
  const intervalNs = 1e9 / rate;
  const startNs = Number(process.hrtime.bigint());
  let next = 0;
  return new Promise((resolve) => {
    const tick = (): void => {
      const nowNs = Number(process.hrtime.bigint());
      while (next < count && startNs + next * intervalNs <= nowNs && targets.length > 0) {
        const socket = targets[next % targets.length] as uws.WebSocket<SocketData>;
        // The data is the send time itself: the fleet records it as the push id.
        const data = String(Number(process.hrtime.bigint())).padStart(20, '0');
        socket.send(
          `{"messageType":"notification","channelID":"bare","version":"v${next}","data":"${data}"}`,
        );
        next += 1;
      }
      if (next < count && targets.length > 0) setTimeout(tick, 1);
      else resolve({ sent: next });
    };
    tick();
  });
}

/**
 * Joins the floor pipeline: delivers what the floor endpoint publishes, and deletes acked
 * messages in BatchWriteItem calls of up to {@link FLOOR_DELETE_BATCH}, each held at most
 * {@link FLOOR_DELETE_WINDOW_MS} (a connection node's batching).
 */
async function joinFloor(natsUrl: string, dynamoDbEndpoint: string): Promise<{ joined: true }> {
  const storage = new FloorDynamoDb(dynamoDbEndpoint);
  const held: Item[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    while (held.length > 0) {
      const batch = held.splice(0, FLOOR_DELETE_BATCH);
      const requests = batch.map((Key) => ({ DeleteRequest: { Key } }));
      storage
        .call('BatchWriteItem', { RequestItems: { [FLOOR_TABLE]: requests } })
        .catch((error: unknown) => console.error(String(error)));
    }
  };
  floorDeletes = (keys) => {
    held.push(...keys);
    if (held.length >= FLOOR_DELETE_BATCH) flush();
    else timer ??= setTimeout(flush, FLOOR_DELETE_WINDOW_MS);
  };
  const nats = await connect({ servers: natsUrl, name: 'bench-floor-connection' });
  nats.subscribe(FLOOR_SUBJECT, {
    callback: (_error, message) => {
      const push = message.json<{ s: string; c: string; v: string; d: string }>();
      sockets
        .get(Number(push.s))
        ?.send(
          `{"messageType":"notification","channelID":"${push.c}","version":"${push.v}","data":"${push.d}","headers":{"encoding":"aes128gcm"}}`,
        );
    },
  });
  await nats.flush();
  return { joined: true };
}

serveIpc((type, body) => {
  switch (type) {
    case 'probe':
      return { ...selfProbe(body), sockets: sockets.size };
    case 'send':
      return sendAtRate(Number(body.rate), Number(body.count));
    case 'join-floor':
      return joinFloor(String(body.natsUrl), String(body.dynamoDbEndpoint));
    default:
      throw new Error(`unknown request ${type}`);
  }
});
