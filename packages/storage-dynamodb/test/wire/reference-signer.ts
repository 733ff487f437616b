import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '../../src/wire/aws-credentials';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 and HMAC-SHA-256 in the shape @smithy/signature-v4 expects. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytes(this.secret));
  }
}

/**
 * The `authorization` header the AWS SDK's own signer (@smithy/signature-v4) computes for
 * a POST with these headers and body: the reference the wire client's signer must match.
 */
export async function referenceAuthorization(options: {
  region: string;
  credentials: AwsCredentials;
  headers: Record<string, string>;
  body: string;
  path?: string;
  at: Date;
  /** Whether smithy adds and signs `x-amz-content-sha256` itself. */
  applyChecksum?: boolean;
}): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: 'dynamodb',
    region: options.region,
    credentials: {
      accessKeyId: options.credentials.accessKeyId,
      secretAccessKey: options.credentials.secretAccessKey,
      ...(options.credentials.sessionToken !== undefined
        ? { sessionToken: options.credentials.sessionToken }
        : {}),
    },
    sha256: NodeSha256,
    applyChecksum: options.applyChecksum ?? false,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: options.headers.host ?? '',
      path: options.path ?? '/',
      query: {},
      headers: { ...options.headers },
      body: options.body,
    },
    { signingDate: options.at },
  );
  return signed.headers;
}
