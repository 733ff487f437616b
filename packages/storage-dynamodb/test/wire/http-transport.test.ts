import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { DynamoDbTransportError } from '../../src/wire/dynamodb-wire-errors';
import { HttpTransport } from '../../src/wire/http-transport';
import type { HttpTransportOptions } from '../../src/wire/http-transport';

const FIXTURES = join(__dirname, 'fixtures');
const EMPTY_OBJECT = Buffer.from('{}');
const HEADERS = { host: 'localhost', 'content-type': 'application/x-amz-json-1.0' };

/** The bytes of one request as a raw server sees them. */
interface Seen {
  readonly socket: Socket;
  readonly text: string;
}

/**
 * A TCP server that answers each complete request with whatever `answer` writes, so a
 * test controls the exact bytes (and the timing of the close) a transport gets back.
 */
async function rawServer(answer: (seen: Seen, index: number) => void): Promise<{
  url: URL;
  seen: Seen[];
  connections: () => number;
  stop: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('utf8');
      for (;;) {
        const headEnd = buffered.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const length = Number(/content-length: (\d+)/.exec(buffered.slice(0, headEnd))?.[1] ?? 0);
        const end = headEnd + 4 + length;
        if (Buffer.byteLength(buffered) < end) return;
        const one = { socket, text: buffered.slice(0, end) };
        buffered = buffered.slice(end);
        seen.push(one);
        answer(one, seen.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/`),
    seen,
    connections: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function ok(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

describe('HttpTransport', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  function transport(url: URL, options: Partial<HttpTransportOptions> = {}): HttpTransport {
    const made = new HttpTransport({
      endpoint: url,
      maxSockets: 4,
      requestTimeoutMs: 2_000,
      connectTimeoutMs: 2_000,
      ...options,
    });
    cleanup.push(() => made.destroy());
    return made;
  }

  it('writes one request line, the headers, the length and the body, and reuses the connection', async () => {
    const server = await rawServer(({ socket }, i) => socket.write(ok(`{"n":${i}}`)));
    cleanup.push(server.stop);
    const client = transport(server.url);

    for (let i = 0; i < 3; i++) {
      await expect(client.post(HEADERS, Buffer.from('{"ü":1}'))).resolves.toEqual({
        statusCode: 200,
        body: `{"n":${i}}`,
        keepAlive: true,
      });
    }

    expect(server.seen[0]!.text).toBe(
      'POST / HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-amz-json-1.0\r\n' +
        'content-length: 8\r\n\r\n{"ü":1}',
    );
    expect(server.connections()).toBe(1);
  });

  it('opens a new connection after the server says close or closes an idle one', async () => {
    const server = await rawServer(({ socket }, i) => {
      if (i === 0) socket.write(ok('{}', 'Connection: close\r\n'));
      else if (i === 1)
        socket.end(ok('{}')); // answers, then closes while the client idles
      else socket.write(ok('{}'));
    });
    cleanup.push(server.stop);
    const client = transport(server.url);

    await client.post(HEADERS, EMPTY_OBJECT);
    await client.post(HEADERS, EMPTY_OBJECT);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(client.post(HEADERS, EMPTY_OBJECT)).resolves.toMatchObject({ statusCode: 200 });

    expect(server.connections()).toBe(3);
  });

  it('fails a request whose answer is not HTTP, and serves the next one on a new connection', async () => {
    const server = await rawServer(({ socket }, i) =>
      socket.write(i === 0 ? 'SSH-2.0-OpenSSH\r\n\r\n' : ok('{}')),
    );
    cleanup.push(server.stop);
    const client = transport(server.url);

    await expect(client.post(HEADERS, EMPTY_OBJECT)).rejects.toMatchObject({
      name: 'DynamoDbTransportError',
      reason: 'network',
    });
    await expect(client.post(HEADERS, EMPTY_OBJECT)).resolves.toMatchObject({ statusCode: 200 });
    expect(server.connections()).toBe(2);
  });

  it('fails a request cut off mid-body as a network error', async () => {
    const server = await rawServer(({ socket }) =>
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{"a"'),
    );
    cleanup.push(server.stop);

    const call = transport(server.url).post(HEADERS, EMPTY_OBJECT);
    await expect(call).rejects.toThrow(/closed in the middle of a response/);
    await expect(call).rejects.toMatchObject({ reason: 'network' });
  });

  it('refuses a header value holding a line break instead of sending it', async () => {
    const server = await rawServer(({ socket }) => socket.write(ok('{}')));
    cleanup.push(server.stop);

    await expect(
      transport(server.url).post(
        { ...HEADERS, 'x-amz-security-token': 'a\r\nx-evil: 1' },
        EMPTY_OBJECT,
      ),
    ).rejects.toMatchObject({ reason: 'network' });
    expect(server.seen).toHaveLength(0);
  });

  it('times out a request and does not reuse its connection for the next', async () => {
    const server = await rawServer(({ socket }, i) => {
      if (i === 0) setTimeout(() => socket.write(ok('{"late":true}')), 300);
      else socket.write(ok('{"on":"time"}'));
    });
    cleanup.push(server.stop);
    const client = transport(server.url, { requestTimeoutMs: 100 });

    await expect(client.post(HEADERS, EMPTY_OBJECT)).rejects.toMatchObject({ reason: 'timeout' });
    await expect(client.post(HEADERS, EMPTY_OBJECT)).resolves.toMatchObject({
      body: '{"on":"time"}',
    });
    expect(server.connections()).toBe(2);
  });

  it('serves a queued request on a new connection when the only one closes', async () => {
    const server = await rawServer(({ socket }, i) =>
      socket.write(ok(`{"n":${i}}`, i === 0 ? 'Connection: close\r\n' : '')),
    );
    cleanup.push(server.stop);
    const client = transport(server.url, { maxSockets: 1 });

    const answers = await Promise.all([
      client.post(HEADERS, EMPTY_OBJECT),
      client.post(HEADERS, EMPTY_OBJECT),
    ]);

    expect(answers.map((answer) => answer.body)).toEqual(['{"n":0}', '{"n":1}']);
    expect(server.connections()).toBe(2);
  });

  it('fails a request whose connection is not up within the connect timeout', async () => {
    // Accepts TCP and never answers the TLS handshake.
    const server = await rawServer(() => undefined);
    cleanup.push(server.stop);
    const client = transport(new URL(`https://127.0.0.1:${server.url.port}/`), {
      connectTimeoutMs: 100,
    });

    const call = client.post(HEADERS, EMPTY_OBJECT);
    await expect(call).rejects.toThrow(/no connection within 100 ms/);
    await expect(call).rejects.toMatchObject({ reason: 'timeout' });
  });

  it('closes connections left idle longer than the idle timeout', async () => {
    const server = await rawServer(({ socket }) => socket.write(ok('{}')));
    cleanup.push(server.stop);
    const client = transport(server.url, { idleTimeoutMs: 40 });

    await client.post(HEADERS, EMPTY_OBJECT);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await client.post(HEADERS, EMPTY_OBJECT);

    expect(server.connections()).toBe(2);
  });

  it('fails queued and in-flight requests when destroyed', async () => {
    const server = await rawServer(() => undefined); // never answers
    cleanup.push(server.stop);
    const client = transport(server.url, { maxSockets: 1 });

    const calls = Promise.allSettled([
      client.post(HEADERS, EMPTY_OBJECT),
      client.post(HEADERS, EMPTY_OBJECT),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.destroy();

    const reasons = (await calls).map((outcome) =>
      outcome.status === 'rejected' ? (outcome.reason as DynamoDbTransportError).reason : 'ok',
    );
    expect(reasons).toEqual(['network', 'network']);
    await expect(client.post(HEADERS, EMPTY_OBJECT)).rejects.toMatchObject({ reason: 'network' });
  });

  it('speaks TLS to an https endpoint and resumes the session on the next connection', async () => {
    const server = createHttpsServer(
      {
        key: readFileSync(join(FIXTURES, 'localhost-key.pem')),
        cert: readFileSync(join(FIXTURES, 'localhost-cert.pem')),
      },
      (req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('connection', 'close'); // so the second call needs a new handshake
          res.end(JSON.stringify({ resumed: (req.socket as TLSSocket).isSessionReused() }));
        });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const client = transport(new URL(`https://127.0.0.1:${port}/`), {
      tls: { ca: readFileSync(join(FIXTURES, 'localhost-cert.pem')) },
    });

    await expect(client.post(HEADERS, EMPTY_OBJECT)).resolves.toMatchObject({
      statusCode: 200,
      body: '{"resumed":false}',
    });
    await expect(client.post(HEADERS, EMPTY_OBJECT)).resolves.toMatchObject({
      body: '{"resumed":true}',
    });
  });
});
