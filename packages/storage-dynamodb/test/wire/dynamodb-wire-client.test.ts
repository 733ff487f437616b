import type { IncomingHttpHeaders } from 'node:http';
import { CachedCredentials } from '../../src/wire/aws-credentials';
import type { AwsCredentials } from '../../src/wire/aws-credentials';
import { DynamoDbWireClient } from '../../src/wire/dynamodb-wire-client';
import type { DynamoDbWireClientOptions } from '../../src/wire/dynamodb-wire-client';
import { closedPort } from '../closed-port';
import { referenceAuthorization } from './reference-signer';
import { dynamoDbError, startScriptedServer, type Reply } from './scripted-server';

type ScriptedServer = Awaited<ReturnType<typeof startScriptedServer>>;

const OK: Reply = { status: 200, body: '{}' };
const TEMPORARY: AwsCredentials = {
  accessKeyId: 'ASIATEMPORARY',
  secretAccessKey: 'temporary/secret+key',
  sessionToken: 'session-token/with+chars=',
};

/** Answers the scripted replies in order, then the last one for every further request. */
function inOrder(...replies: Reply[]): () => Reply {
  let next = 0;
  return () => replies[Math.min(next++, replies.length - 1)]!;
}

describe('DynamoDbWireClient', () => {
  let server: ScriptedServer | undefined;
  let client: DynamoDbWireClient | undefined;

  async function start(
    reply: Parameters<typeof startScriptedServer>[0],
    options: Partial<DynamoDbWireClientOptions> = {},
  ): Promise<{ server: ScriptedServer; client: DynamoDbWireClient }> {
    server = await startScriptedServer(reply);
    client = new DynamoDbWireClient({
      endpoint: server.endpoint,
      requestTimeoutMs: 2_000,
      ...options,
    });
    return { server, client };
  }

  afterEach(async () => {
    client?.destroy();
    await server?.stop();
    client = undefined;
    server = undefined;
  });

  it('POSTs the input as JSON to the action target, signed as the AWS SDK signer would', async () => {
    const { server, client } = await start(() => ({
      status: 200,
      body: '{"Item":{"uaid":{"S":"u1"},"n":{"N":"7"}}}',
    }));
    const input = { TableName: 'herald_router', Key: { uaid: { S: 'u1' } }, ConsistentRead: true };

    expect(await client.send('GetItem', input)).toEqual({
      Item: { uaid: { S: 'u1' }, n: { N: '7' } },
    });

    const { headers, body } = server.requests[0]!;
    expect(headers['x-amz-target']).toBe('DynamoDB_20120810.GetItem');
    expect(headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(body)).toEqual(input);
    const reference = await referenceAuthorization({
      region: 'us-east-1',
      credentials: { accessKeyId: 'heraldlocal', secretAccessKey: 'heraldlocal' },
      headers: signedHeadersOf(headers),
      body,
      at: parseAmzDate(headers['x-amz-date'] as string),
    });
    expect(headers.authorization).toBe(reference.authorization);
  });

  it('sends and signs the session token of temporary credentials', async () => {
    const { server, client } = await start(() => OK, {
      region: 'eu-west-1',
      credentials: CachedCredentials.fixed(TEMPORARY),
    });
    await client.send('PutItem', { TableName: 't', Item: { uaid: { S: 'u' } } });

    const { headers, body } = server.requests[0]!;
    expect(headers['x-amz-security-token']).toBe(TEMPORARY.sessionToken);
    expect(headers.authorization).toContain('x-amz-security-token');
    const reference = await referenceAuthorization({
      region: 'eu-west-1',
      credentials: TEMPORARY,
      headers: signedHeadersOf(headers),
      body,
      at: parseAmzDate(headers['x-amz-date'] as string),
    });
    expect(headers.authorization).toBe(reference.authorization);
  });

  it('retries a 500 and a throttled 400, returns the answer, and reports one call', async () => {
    const observed: Array<{ operation: string; error: unknown }> = [];
    const { server, client } = await start(
      inOrder(
        dynamoDbError(500, 'InternalServerError'),
        dynamoDbError(400, 'ProvisionedThroughputExceededException'),
        { status: 200, body: '{"Items":[],"Count":0}' },
      ),
      { observe: (operation, _seconds, error) => observed.push({ operation, error }) },
    );

    await expect(
      client.send('Query', { TableName: 't', KeyConditionExpression: 'uaid = :u' }),
    ).resolves.toEqual({ Items: [], Count: 0 });
    expect(server.requests).toHaveLength(3);
    expect(observed).toEqual([{ operation: 'Query', error: undefined }]);
  });

  it.each(['ThrottlingException', 'RequestLimitExceeded'])(
    'gives up on %s after three attempts with a typed error',
    async (type) => {
      const { server, client } = await start(() => dynamoDbError(400, type, 'slow down'));

      await expect(
        client.send('GetItem', { TableName: 't', Key: { uaid: { S: 'u' } } }),
      ).rejects.toMatchObject({
        name: 'DynamoDbServiceError',
        errorType: type,
        statusCode: 400,
        message: expect.stringContaining('slow down') as unknown,
      });
      expect(server.requests).toHaveLength(3);
    },
  );

  it.each(['ConditionalCheckFailedException', 'ValidationException', 'ResourceNotFoundException'])(
    'does not retry %s, which would fail again',
    async (type) => {
      const { server, client } = await start(() => dynamoDbError(400, type));

      await expect(
        client.send('DeleteItem', { TableName: 't', Key: { uaid: { S: 'u' } } }),
      ).rejects.toMatchObject({ errorType: type });
      expect(server.requests).toHaveLength(1);
    },
  );

  it('retries a dropped connection and a 503 page that is not DynamoDB’s', async () => {
    const { server, client } = await start(
      inOrder({ drop: true }, { status: 503, body: '<html>busy</html>' }, OK),
    );

    await expect(
      client.send('PutItem', { TableName: 't', Item: { uaid: { S: 'u' } } }),
    ).resolves.toEqual({});
    expect(server.requests).toHaveLength(3);
  });

  it('fails an attempt that gets no answer within the request timeout', async () => {
    const { client } = await start(() => ({ hang: true }), {
      requestTimeoutMs: 150,
      maxAttempts: 1,
    });
    const startedAt = Date.now();

    await expect(
      client.send('GetItem', { TableName: 't', Key: { uaid: { S: 'u' } } }),
    ).rejects.toMatchObject({ name: 'DynamoDbTransportError', reason: 'timeout' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  it('queues calls beyond maxSockets instead of opening more connections', async () => {
    const { server, client } = await start(
      () => new Promise<Reply>((resolve) => setTimeout(() => resolve(OK), 5)),
      { maxSockets: 3 },
    );

    const calls = Array.from({ length: 30 }, (_, i) =>
      client.send('PutItem', { TableName: 't', Item: { uaid: { S: `u${i}` } } }),
    );
    await expect(Promise.all(calls)).resolves.toHaveLength(30);
    expect(server.requests).toHaveLength(30);
    expect(server.connections()).toBeLessThanOrEqual(3);
    expect(server.peakConcurrency()).toBe(3);
  });

  it('reports a refused connection as a network error once its attempts are spent', async () => {
    const port = await closedPort();
    client = new DynamoDbWireClient({
      endpoint: `http://127.0.0.1:${port}`,
      requestTimeoutMs: 500,
    });

    await expect(
      client.send('GetItem', { TableName: 't', Key: { uaid: { S: 'u' } } }),
    ).rejects.toMatchObject({ name: 'DynamoDbTransportError', reason: 'network' });
  });

  it('fails every call, saying what is missing, when AWS has no region to sign for', async () => {
    const saved = { ...process.env };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      client = new DynamoDbWireClient({ requestTimeoutMs: 500 });
    } finally {
      process.env = saved;
    }

    await expect(
      client.send('GetItem', { TableName: 't', Key: { uaid: { S: 'u' } } }),
    ).rejects.toThrow(/no AWS region configured/);
  });

  it('loads credentials once, and again after DynamoDB says the token expired', async () => {
    let loads = 0;
    const credentials = new CachedCredentials(() => {
      loads++;
      return Promise.resolve({ ...TEMPORARY, sessionToken: `token-${loads}` });
    });
    const { server, client } = await start(
      inOrder(OK, dynamoDbError(400, 'ExpiredTokenException'), OK),
      { region: 'us-east-1', credentials },
    );
    const put = () => client.send('PutItem', { TableName: 't', Item: { uaid: { S: 'u' } } });

    await put();
    await expect(put()).rejects.toMatchObject({ errorType: 'ExpiredTokenException' });
    await put();

    expect(loads).toBe(2);
    expect(server.requests.map((r) => r.headers['x-amz-security-token'])).toEqual([
      'token-1',
      'token-1',
      'token-2',
    ]);
  });
});

/** The headers the client signs, as the server received them. */
function signedHeadersOf(headers: IncomingHttpHeaders): Record<string, string> {
  return {
    host: String(headers.host),
    'content-type': String(headers['content-type']),
    'x-amz-target': String(headers['x-amz-target']),
  };
}

/** `20261128T055423Z` → Date. */
function parseAmzDate(amzDate: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (m === null) throw new Error(`not an x-amz-date: ${amzDate}`);
  return new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}
