import { newUaid, StorageUnavailableError } from '@herald/core';
import type { Notification } from '@herald/core';
import type { Item } from '../src/attribute-values';
import { DynamoDbMessageStore } from '../src/dynamodb-message-store';
import { DynamoDbWireClient } from '../src/wire/dynamodb-wire-client';
import { storedNotification } from './message-fixtures';
import { RecordingLogger } from './recording-logger';
import { dynamoDbError, startScriptedServer, type Reply } from './wire/scripted-server';

type ScriptedServer = Awaited<ReturnType<typeof startScriptedServer>>;
const TABLE = 'herald_message';

/** The keys a BatchWriteItem request asks to delete. */
function deletedKeys(body: string): Item[] {
  const input = JSON.parse(body) as {
    RequestItems: Record<string, Array<{ DeleteRequest: { Key: Item } }>>;
  };
  return (input.RequestItems[TABLE] ?? []).map((r) => r.DeleteRequest.Key);
}

/** A BatchWriteItem answer that leaves the requested keys for which `keep` holds. */
function leaving(body: string, keep: (key: Item) => boolean): Reply {
  const unprocessed = deletedKeys(body)
    .filter(keep)
    .map((Key) => ({ DeleteRequest: { Key } }));
  return {
    status: 200,
    body: JSON.stringify({
      UnprocessedItems: unprocessed.length > 0 ? { [TABLE]: unprocessed } : {},
    }),
  };
}

describe('batched acks when DynamoDB does not take the whole batch', () => {
  let server: ScriptedServer | undefined;
  let client: DynamoDbWireClient | undefined;
  let store: DynamoDbMessageStore | undefined;

  async function storeAnswering(
    reply: Parameters<typeof startScriptedServer>[0],
  ): Promise<{ server: ScriptedServer; store: DynamoDbMessageStore }> {
    server = await startScriptedServer(reply);
    client = new DynamoDbWireClient({ endpoint: server.endpoint, requestTimeoutMs: 2_000 });
    store = new DynamoDbMessageStore({ client, tableName: TABLE, log: new RecordingLogger() });
    return { server, store };
  }
  afterEach(async () => {
    store?.close();
    client?.destroy();
    await server?.stop();
    [server, client, store] = [undefined, undefined, undefined];
  });

  const ack = (s: DynamoDbMessageStore, n: Notification) =>
    s.delete(n.uaid, n.storageKey, n.messageId);

  it('resubmits UnprocessedItems and settles each ack as soon as its own row is written', async () => {
    const uaid = newUaid();
    const messages = Array.from({ length: 5 }, () => storedNotification(uaid));
    const late = new Set([messages[1]!.storageKey, messages[3]!.storageKey]);
    const { server, store } = await storeAnswering(({ body }, index) =>
      leaving(body, (key) => index === 0 && late.has(key.sk!.S!)),
    );

    const requestsWhenSettled = await Promise.all(
      messages.map((n) => ack(store, n).then(() => server.requests.length)),
    );

    expect(requestsWhenSettled).toEqual([1, 2, 1, 2, 1]);
    expect(server.requests.map((r) => deletedKeys(r.body).length)).toEqual([5, 2]);
  });

  it('rejects only the acks whose rows DynamoDB keeps leaving unprocessed', async () => {
    const uaid = newUaid();
    const [stuck, ...rest] = Array.from({ length: 4 }, () => storedNotification(uaid));
    const { server, store } = await storeAnswering(({ body }) =>
      leaving(body, (key) => key.sk!.S === stuck!.storageKey),
    );

    const outcomes = await Promise.allSettled([stuck!, ...rest].map((n) => ack(store, n)));

    expect(outcomes.map((o) => o.status)).toEqual([
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(StorageUnavailableError);
    expect(server.requests.length).toBeGreaterThan(2);
  });

  it('rejects every ack of a batch whose request fails, with the DynamoDB error as cause', async () => {
    const uaid = newUaid();
    const messages = Array.from({ length: 3 }, () => storedNotification(uaid));
    const { store } = await storeAnswering(() => dynamoDbError(400, 'ValidationException'));

    const outcomes = await Promise.allSettled(messages.map((n) => ack(store, n)));

    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(StorageUnavailableError);
      expect(reason.cause).toMatchObject({ errorType: 'ValidationException' });
    }
  });

  it('rejects acks still waiting for their window when the store closes, sending nothing', async () => {
    const { server, store } = await storeAnswering(() => ({ status: 200, body: '{}' }));
    const n = storedNotification(newUaid());

    const pending = ack(store, n);
    store.close();

    await expect(pending).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(ack(store, n)).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(server.requests).toHaveLength(0);
  });
});
