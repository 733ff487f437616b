import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CryptoKeys,
  InProcessBus,
  MemoryMessageStore,
  MemoryRouterStore,
  endpointUrl,
  makeEndpointToken,
  newChannelId,
  newUaid,
  parseNodeId,
  systemClock,
} from '@herald/core';
import { createEndpointNode, type EndpointNode } from '../src';
import { recordingLogger } from './endpoint-fixture';

/** POSTs over HTTPS trusting only `ca`, the test's self-signed certificate. */
function postTls(
  url: string,
  ca: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; protocol: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          protocol: (res.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http',
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('an endpoint node with TLS', () => {
  const keys = CryptoKeys.parse(CryptoKeys.generateKey());
  const routerStore = new MemoryRouterStore();
  const bus = new InProcessBus();
  let dir: string;
  let cert: Buffer;
  let node: EndpointNode;

  function options(tls: { certFile: string; keyFile: string }) {
    return {
      port: 0,
      host: '127.0.0.1',
      publicOrigin: 'https://localhost',
      keys,
      routerStore,
      messageStore: new MemoryMessageStore(),
      bus,
      clock: systemClock,
      log: recordingLogger(),
      tls,
    };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-endpoint-tls-'));
    // A throwaway self-signed P-256 certificate for localhost, valid for a day.
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-days',
      '1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    cert = await readFile(join(dir, 'cert.pem'));
    node = await createEndpointNode(
      options({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') }),
    );
  });
  afterAll(async () => {
    await node.close();
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves pushes over HTTPS with the configured certificate', async () => {
    const uaid = newUaid();
    const channelId = newChannelId();
    await routerStore.addChannel(uaid, channelId, {
      nodeId: parseNodeId('connection-node-1')!,
      connectedAtMs: Date.now(),
    });
    const endpoint = endpointUrl(
      `https://localhost:${node.port}`,
      makeEndpointToken(keys, { uaid, channelId }),
    );
    const reply = await postTls(endpoint, cert, { TTL: '60' });
    expect(reply).toMatchObject({ status: 201, protocol: 'https' });
    expect(String(reply.headers['location'])).toMatch(/^https:\/\/localhost\/m\//);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const req = request(`https://localhost:${node.port}/__lbheartbeat__`, { agent: false });
        req.on('response', resolve);
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toThrow(/self[- ]signed/i);
  });

  it('rejects at start when the certificate file is missing', async () => {
    await expect(
      createEndpointNode(
        options({ certFile: join(dir, 'missing.pem'), keyFile: join(dir, 'key.pem') }),
      ),
    ).rejects.toThrow(/ENOENT/);
  });
});
