import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ReceivedRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** What the server does with one request. */
export type Reply =
  | { readonly status: number; readonly body: string }
  /** Closes the connection without answering. */
  | { readonly drop: true }
  /** Never answers (until the server stops). */
  | { readonly hang: true };

/** DynamoDB's error document. */
export function dynamoDbError(status: number, type: string, message = 'scripted'): Reply {
  return {
    status,
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message }),
  };
}

/**
 * A real HTTP server on a loopback port standing in for DynamoDB: `reply` decides each
 * answer; it records every request, the connections opened and the most requests it was
 * holding at once.
 */
export async function startScriptedServer(
  reply: (request: ReceivedRequest, index: number) => Reply | Promise<Reply>,
): Promise<{
  endpoint: string;
  requests: ReceivedRequest[];
  connections(): number;
  peakConcurrency(): number;
  stop(): Promise<void>;
}> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      void Promise.resolve(reply(received, requests.length - 1)).then((answer) => {
        if ('hang' in answer) return;
        inFlight--;
        if ('drop' in answer) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(answer.body);
      });
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    peakConcurrency: () => peak,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
