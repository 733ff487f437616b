/** An access key pair, maybe temporary (a session token and an expiry). */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When temporary credentials stop working; absent for long-term keys. */
  readonly expiresAtMs?: number;
}

/** Loads credentials from wherever they live (environment, profile, instance role…). */
export type CredentialLoader = () => Promise<AwsCredentials>;

/**
 * Local servers accept any signature but still parse it. DynamoDB Local rejects key ids
 * that are not purely alphanumeric; a fixed pair keeps a developer's AWS profile out of it.
 */
export const LOCAL_CREDENTIALS: AwsCredentials = {
  accessKeyId: 'heraldlocal',
  secretAccessKey: 'heraldlocal',
};

/**
 * Refresh this long before expiry. The SDK's own provider chain reloads credentials
 * that expire within five minutes, so asking it again inside that window gets new ones.
 */
const REFRESH_BEFORE_EXPIRY_MS = 4 * 60_000;

/** After a failed background refresh, keep using the current credentials this long. */
const REFRESH_RETRY_MS = 10_000;

/**
 * Credentials for signing, cached between requests. `current()` answers synchronously
 * while the cached pair is fresh (the hot path awaits nothing); within
 * {@link REFRESH_BEFORE_EXPIRY_MS} of expiry it starts one background reload and keeps
 * signing with the old pair until the new one arrives. Once expired, or before the first
 * load, callers wait for a single shared load.
 */
export class CachedCredentials {
  private readonly load: CredentialLoader;
  private readonly nowMs: () => number;
  private cached: AwsCredentials | undefined;
  private loading: Promise<AwsCredentials> | undefined;
  private nextBackgroundRefreshMs = 0;

  constructor(load: CredentialLoader, nowMs: () => number = Date.now) {
    this.load = load;
    this.nowMs = nowMs;
  }

  /** Fixed credentials that never expire (local servers, tests). */
  static fixed(credentials: AwsCredentials): CachedCredentials {
    const cache = new CachedCredentials(() => Promise.resolve(credentials));
    cache.cached = credentials;
    return cache;
  }

  /** The cached credentials when usable now, else a promise of fresh ones. */
  current(): AwsCredentials | Promise<AwsCredentials> {
    const cached = this.cached;
    if (cached === undefined || cached.expiresAtMs === undefined) return cached ?? this.reload();
    const nowMs = this.nowMs();
    if (cached.expiresAtMs <= nowMs) return this.reload();
    if (cached.expiresAtMs - nowMs <= REFRESH_BEFORE_EXPIRY_MS) {
      if (this.loading === undefined && nowMs >= this.nextBackgroundRefreshMs) {
        this.nextBackgroundRefreshMs = nowMs + REFRESH_RETRY_MS;
        // The old pair still works; a failed reload is retried later or when it expires.
        this.reload().catch(() => undefined);
      }
    }
    return cached;
  }

  /** Forgets the cached pair (the service said it expired), so the next call reloads. */
  invalidate(): void {
    this.cached = undefined;
  }

  private reload(): Promise<AwsCredentials> {
    this.loading ??= this.load().then(
      (credentials) => {
        this.cached = credentials;
        this.loading = undefined;
        return credentials;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }
}

/**
 * The AWS SDK's standard provider chain (environment, SSO, shared profile, web identity,
 * ECS and EC2 instance roles), loaded on first use: local setups never pay for it.
 */
export function awsDefaultCredentials(): CredentialLoader {
  let provider: (() => Promise<SdkCredentials>) | undefined;
  return async () => {
    if (provider === undefined) {
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      provider = defaultProvider();
    }
    const loaded = await provider();
    return {
      accessKeyId: loaded.accessKeyId,
      secretAccessKey: loaded.secretAccessKey,
      ...(loaded.sessionToken !== undefined ? { sessionToken: loaded.sessionToken } : {}),
      ...(loaded.expiration !== undefined ? { expiresAtMs: loaded.expiration.getTime() } : {}),
    };
  };
}

interface SdkCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}
