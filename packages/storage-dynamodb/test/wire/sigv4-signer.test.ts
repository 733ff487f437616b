import { createHash } from 'node:crypto';
import type { AwsCredentials } from '../../src/wire/aws-credentials';
import { SigV4Signer, amzDateOf } from '../../src/wire/sigv4-signer';
import { referenceAuthorization } from './reference-signer';

const LONG_TERM: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const TEMPORARY: AwsCredentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'c2VjcmV0L3dpdGgrc2xhc2hlcz0=',
  sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token/with=chars',
};

function dynamoDbHeaders(host: string, operation: string): Record<string, string> {
  return {
    host,
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `DynamoDB_20120810.${operation}`,
  };
}

const REQUESTS = [
  {
    name: 'a GetItem on AWS with long-term keys',
    region: 'eu-west-1',
    credentials: LONG_TERM,
    headers: dynamoDbHeaders('dynamodb.eu-west-1.amazonaws.com', 'GetItem'),
    body: '{"TableName":"herald_router","Key":{"uaid":{"S":"0123abcd"}},"ConsistentRead":true}',
    at: new Date('2026-11-28T05:54:23.456Z'),
  },
  {
    name: 'a PutItem with a session token and non-ASCII data',
    region: 'us-east-1',
    credentials: TEMPORARY,
    headers: dynamoDbHeaders('dynamodb.us-east-1.amazonaws.com', 'PutItem'),
    body: '{"TableName":"t","Item":{"uaid":{"S":"é✓ 😀"},"data":{"B":"aGVsbG8="}}}',
    at: new Date('2027-01-01T00:00:00.000Z'),
  },
  {
    name: 'an empty body to a local endpoint with a port',
    region: 'us-east-1',
    credentials: { accessKeyId: 'heraldlocal', secretAccessKey: 'heraldlocal' },
    headers: dynamoDbHeaders('127.0.0.1:8000', 'ListTables'),
    body: '',
    at: new Date('2026-02-28T23:59:59.999Z'),
  },
  {
    name: 'a BatchWriteItem with a temporary key in another region',
    region: 'ap-southeast-2',
    credentials: TEMPORARY,
    headers: dynamoDbHeaders('dynamodb.ap-southeast-2.amazonaws.com', 'BatchWriteItem'),
    body: JSON.stringify({
      RequestItems: { m: [{ DeleteRequest: { Key: { uaid: { S: 'u' }, sk: { S: '02:1' } } } }] },
    }),
    at: new Date('2026-06-15T12:34:56.000Z'),
  },
];

describe('SigV4Signer', () => {
  it.each(REQUESTS)('signs $name exactly as the AWS SDK signer does', async (request) => {
    const signer = new SigV4Signer({ region: request.region, service: 'dynamodb' });
    const ours = signer.sign(
      { method: 'POST', path: '/', headers: request.headers, body: request.body },
      request.credentials,
      request.at,
    );
    const theirs = await referenceAuthorization(request);

    expect(ours.authorization).toBe(theirs.authorization);
    expect(ours['x-amz-date']).toBe(theirs['x-amz-date']);
    expect(ours['x-amz-security-token']).toBe(theirs['x-amz-security-token']);
  });

  it('signs extra x-amz headers such as a payload hash the way the SDK signer adds them', async () => {
    const request = REQUESTS[0]!;
    const headers = {
      ...request.headers,
      'x-amz-content-sha256': createHash('sha256').update(request.body).digest('hex'),
    };
    const ours = new SigV4Signer({ region: request.region, service: 'dynamodb' }).sign(
      { method: 'POST', path: '/', headers, body: request.body },
      request.credentials,
      request.at,
    );
    const theirs = await referenceAuthorization({ ...request, applyChecksum: true });
    expect(ours.authorization).toBe(theirs.authorization);
  });

  it('keeps signing correctly across midnight and a change of credentials with one signer', async () => {
    const signer = new SigV4Signer({ region: 'eu-central-1', service: 'dynamodb' });
    const headers = dynamoDbHeaders('dynamodb.eu-central-1.amazonaws.com', 'Query');
    const body = '{"TableName":"m"}';
    const steps: Array<{ at: Date; credentials: AwsCredentials }> = [
      { at: new Date('2026-03-31T23:59:59.000Z'), credentials: LONG_TERM },
      { at: new Date('2026-04-01T00:00:01.000Z'), credentials: LONG_TERM },
      { at: new Date('2026-04-01T00:00:02.000Z'), credentials: TEMPORARY },
      { at: new Date('2026-04-01T00:00:03.000Z'), credentials: LONG_TERM },
    ];
    const signatures = new Set<string>();
    for (const { at, credentials } of steps) {
      const ours = signer.sign({ method: 'POST', path: '/', headers, body }, credentials, at);
      const theirs = await referenceAuthorization({
        region: 'eu-central-1',
        credentials,
        headers,
        body,
        at,
      });
      expect(ours.authorization).toBe(theirs.authorization);
      signatures.add(ours.authorization);
    }
    expect(signatures.size).toBe(steps.length);
  });

  it('formats x-amz-date as YYYYMMDDTHHMMSSZ in UTC', () => {
    expect(amzDateOf(new Date('2026-11-28T05:04:03.999Z'))).toBe('20261128T050403Z');
  });
});
