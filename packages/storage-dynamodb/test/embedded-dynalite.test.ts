import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newChannelId, newUaid, type NodeId } from '@herald/core';
import { createDynamoDbStores, createTables, startEmbeddedDynalite } from '../src';
import { uniqueTableNames } from './fresh-tables';
import { RecordingLogger } from './recording-logger';

describe('startEmbeddedDynalite', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'herald-dynalite-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps tables and records in its directory across a close and a restart', async () => {
    const path = join(dataDir, 'store');
    const names = uniqueTableNames();
    const uaid = newUaid();
    const channelId = newChannelId();

    const first = await startEmbeddedDynalite({ path });
    const log = new RecordingLogger();
    await createTables({ endpoint: first.endpoint, ...names, log });
    const writer = createDynamoDbStores({ endpoint: first.endpoint, ...names, log });
    await writer.routerStore.addChannel(uaid, channelId, {
      nodeId: 'node-a' as NodeId,
      connectedAtMs: 1_000,
    });
    writer.close();
    await first.close();

    const second = await startEmbeddedDynalite({ path });
    const reader = createDynamoDbStores({ endpoint: second.endpoint, ...names, log });
    try {
      expect(await createTables({ endpoint: second.endpoint, ...names, log })).toEqual({
        created: [],
        existing: [names.routerTable, names.messageTable],
      });
      const record = await reader.routerStore.get(uaid);
      expect(record).toMatchObject({ uaid, nodeId: 'node-a', connectedAtMs: 1_000 });
      expect([...record!.channelIds]).toEqual([channelId]);
    } finally {
      reader.close();
      await second.close();
    }
  });

  it('listens on the requested host and reports the chosen port when given port 0', async () => {
    const server = await startEmbeddedDynalite({ port: 0, host: '127.0.0.1' });
    try {
      expect(server.port).toBeGreaterThan(0);
      expect(server.endpoint).toBe(`http://127.0.0.1:${server.port}`);
      const stores = createDynamoDbStores({
        endpoint: server.endpoint,
        ...uniqueTableNames(),
        log: new RecordingLogger(),
      });
      // No tables yet: the ping must say so rather than pass.
      await expect(stores.ping()).rejects.toMatchObject({ name: 'StorageUnavailableError' });
      stores.close();
    } finally {
      await server.close();
    }
  });

  it('rejects when the port is taken', async () => {
    const taken = await startEmbeddedDynalite();
    try {
      await expect(startEmbeddedDynalite({ port: taken.port })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await taken.close();
    }
  });
});
