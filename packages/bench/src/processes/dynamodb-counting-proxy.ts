/**
 * A child process standing between the Herald nodes and DynamoDB Local: a plain TCP
 * relay (bytes are piped, never re-parsed, so it adds as little latency and CPU as a
 * hop can) that counts requests by operation by spotting each request's
 * `X-Amz-Target` header in the client-to-server stream. Usage: `node
 * dynamodb-counting-proxy.js <upstream-port>`; prints `listening <port>`; IPC `counts`
 * returns the totals so far.
 */
import { connect, createServer, type AddressInfo } from 'node:net';
import { serveIpc } from './ipc-channel';

const upstreamPort = Number(process.argv[2]);
const HOST = '127.0.0.1';
const TARGET = /x-amz-target:\s*DynamoDB_\d+\.(\w+)/gi;
const counts: Record<string, number> = {};

const server = createServer((client) => {
  const upstream = connect({ host: HOST, port: upstreamPort });
  client.on('data', (chunk: Buffer) => {
    // Node's HTTP client writes a request's head in one chunk, so a header is never split.
    for (const match of chunk.toString('latin1').matchAll(TARGET)) {
      const operation = match[1] ?? 'unknown';
      counts[operation] = (counts[operation] ?? 0) + 1;
    }
  });
  client.pipe(upstream);
  upstream.pipe(client);
  const end = (): void => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
  client.on('close', end);
  upstream.on('close', end);
});
server.listen({ port: 0, host: HOST, backlog: 4096 }, () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});

serveIpc((type) => {
  if (type === 'counts') return { ...counts };
  throw new Error(`unknown request ${type}`);
});
