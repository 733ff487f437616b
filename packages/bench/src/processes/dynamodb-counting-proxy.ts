/**
 * A child process standing between the Herald nodes and DynamoDB Local: it forwards
 * every request unchanged and counts them by operation (`X-Amz-Target`), so the suite
 * can report DynamoDB requests per push. Usage: `node dynamodb-counting-proxy.js
 * <upstream-port>`; prints `listening <port>`; IPC `counts` returns the totals so far.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveIpc } from './ipc-channel';

const upstreamPort = Number(process.argv[2]);
const HOST = '127.0.0.1';
const counts: Record<string, number> = {};
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((incoming, outgoing) => {
  const target = incoming.headers['x-amz-target'];
  const operation = typeof target === 'string' ? (target.split('.').pop() ?? target) : 'unknown';
  counts[operation] = (counts[operation] ?? 0) + 1;
  const upstream = request(
    { host: HOST, port: upstreamPort, method: incoming.method, path: incoming.url, headers: incoming.headers, agent },
    (reply) => {
      outgoing.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(outgoing);
    },
  );
  upstream.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502);
    outgoing.end();
  });
  incoming.pipe(upstream);
});
server.keepAliveTimeout = 60_000;

server.listen(0, HOST, () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});

serveIpc((type) => {
  if (type === 'counts') return { ...counts };
  throw new Error(`unknown request ${type}`);
});
