/**
 * The baseline: a bare uWebSockets.js server with the same socket settings a connection
 * node uses and nothing else. It answers `hello` and `register` with canned replies (so
 * the same fleets drive it), holds idle sockets, and on request sends notification
 * frames at a fixed rate whose `data` is the send time, for the send→receive baseline.
 * Usage: `node --expose-gc bare-uws-server-process.js <port>` (0 = any); prints
 * `listening <port>`. Several may share a port (uWS listens with SO_REUSEPORT).
 */
import { randomBytes } from 'node:crypto';
import * as uws from 'uWebSockets.js';
import { serveIpc } from '../processes/ipc-channel';

interface SocketData {
  readonly id: number;
}

const sockets = new Map<number, uws.WebSocket<SocketData>>();
let nextId = 0;
const app = uws.App();

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
    };
    if (frame.messageType === 'hello') {
      socket.send(
        `{"messageType":"hello","uaid":"${randomBytes(16).toString('hex')}","status":200,"use_webpush":true,"broadcasts":{}}`,
      );
    } else if (frame.messageType === 'register') {
      socket.send(
        `{"messageType":"register","channelID":"${frame.channelID}","status":200,"pushEndpoint":"http://bare.invalid/wpush"}`,
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

serveIpc((type, body) => {
  switch (type) {
    case 'probe': {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (body.gc === true && gc !== undefined) {
        gc();
        gc();
      }
      return {
        cpu: process.cpuUsage(),
        memory: process.memoryUsage(),
        gcRan: gc !== undefined,
        sockets: sockets.size,
      };
    }
    case 'send':
      return sendAtRate(Number(body.rate), Number(body.count));
    default:
      throw new Error(`unknown request ${type}`);
  }
});
