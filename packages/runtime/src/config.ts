import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { CryptoKeys, newNodeId, type NodeId } from '@herald/core';
import { ConfigError } from './config-error';
import { loadOrCreateDevCryptoKeys } from './dev-crypto-keys';
import {
  SECRET_SETTINGS,
  describeSetting,
  settingsSchema,
  type LogLevel,
  type SettingName,
} from './settings';

/** What a process runs as; decides which settings are required and some defaults. */
export type Role = 'dev' | 'connection' | 'endpoint' | 'tables';
export type NodeRole = Exclude<Role, 'tables'>;

/** Where the DynamoDB tables are. */
export interface DynamoDbConfig {
  /** Endpoint override (DynamoDB Local, dynalite); `undefined` means AWS. */
  readonly endpoint: string | undefined;
  /** `AWS_REGION`; us-east-1 when an endpoint override is set and no region is. */
  readonly region: string | undefined;
  readonly routerTable: string;
  readonly messageTable: string;
}

/** Shown on `/__version__`; `version` comes from the CLI's package. */
export interface BuildInfo {
  readonly commit: string;
  readonly build: string;
}

/** `herald tables create`: only what reaching DynamoDB needs. */
export interface TablesConfig {
  readonly role: 'tables';
  readonly logLevel: LogLevel;
  readonly dynamoDb: DynamoDbConfig;
  readonly dependencyTimeoutMs: number;
}

/** A node (`dev`, `connection`, `endpoint`): every setting, validated and typed. */
export interface NodeConfig {
  readonly role: NodeRole;
  readonly logLevel: LogLevel;
  readonly dynamoDb: DynamoDbConfig;
  readonly dependencyTimeoutMs: number;
  /**
   * Bind address of the public and ops ports. Default `0.0.0.0` for `connection` and
   * `endpoint` (they run in containers behind a load balancer) and `127.0.0.1` for `dev`,
   * which generates its own key and is meant for one machine: reaching it from elsewhere
   * is an explicit choice (`HERALD_HOST=0.0.0.0`).
   */
  readonly host: string;
  readonly wsPort: number;
  readonly httpPort: number;
  /** 8081 for `dev` and `connection`, 8083 for `endpoint` (so both fit on one host). */
  readonly opsPort: number;
  /**
   * The endpoint's origin (scheme://host[:port], no trailing slash): builds pushEndpoint
   * URLs and is the only accepted VAPID `aud`. Default `http://localhost:<HERALD_HTTP_PORT>`.
   */
  readonly publicOrigin: string;
  readonly cryptoKeys: CryptoKeys;
  /** Where the keys came from, so `dev` can say it generated one. */
  readonly cryptoKeysSource: 'env' | 'generated' | 'data-dir';
  /** NATS servers; `undefined` only for `dev`, which then uses the in-process bus. */
  readonly natsServers: readonly string[] | undefined;
  readonly nodeId: NodeId;
  /** Absolute path of `HERALD_DATA_DIR`. */
  readonly dataDir: string;
  readonly helloTimeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxTtlSeconds: number;
  readonly messageLimitPerDrain: number;
  readonly shutdownTimeoutMs: number;
  readonly build: BuildInfo;
}

export type Config = NodeConfig | TablesConfig;

const DEFAULT_OPS_PORT: Record<NodeRole, number> = { dev: 8081, connection: 8081, endpoint: 8083 };
const DEFAULT_HOST: Record<NodeRole, string> = {
  dev: '127.0.0.1',
  connection: '0.0.0.0',
  endpoint: '0.0.0.0',
};

/**
 * Reads the environment once, at start-up. Throws {@link ConfigError} listing every bad
 * or missing variable at once. This module is the only reader of `process.env`.
 *
 * For `dev` without `HERALD_CRYPTO_KEYS`, the key is read from (or generated into)
 * `HERALD_DATA_DIR/crypto-keys`, which is the one side effect.
 */
export function loadConfig(role: 'tables', env?: NodeJS.ProcessEnv): TablesConfig;
export function loadConfig(role: NodeRole, env?: NodeJS.ProcessEnv): NodeConfig;
export function loadConfig(role: Role, env?: NodeJS.ProcessEnv): Config;
export function loadConfig(role: Role, env: NodeJS.ProcessEnv = process.env): Config {
  const command = role === 'tables' ? '`herald tables create`' : `\`herald ${role}\``;
  const heading = `Cannot start ${command}: fix these settings (environment variables):`;
  const parsed = settingsSchema.safeParse(withoutEmptyValues(env));

  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path[0] as SettingName;
      problems.push(invalidLine(name, issue.message, env[name]));
    }
  }
  // Checked on the raw environment so they are reported even when other values are bad.
  const split = role === 'connection' || role === 'endpoint';
  if (split && isBlank(env.HERALD_NATS_URL))
    problems.push(requiredLine('HERALD_NATS_URL', command));
  let keys: { keys: CryptoKeys; source: NodeConfig['cryptoKeysSource'] } | undefined;
  if (role !== 'tables') {
    const rawKeys = env.HERALD_CRYPTO_KEYS;
    if (!isBlank(rawKeys)) keys = parseCryptoKeys(rawKeys ?? '', problems);
    else if (split) problems.push(requiredLine('HERALD_CRYPTO_KEYS', command));
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(heading, problems);

  const settings = parsed.data;
  const dynamoDb: DynamoDbConfig = {
    endpoint: settings.HERALD_DYNAMODB_ENDPOINT,
    region:
      settings.AWS_REGION ??
      (settings.HERALD_DYNAMODB_ENDPOINT !== undefined ? 'us-east-1' : undefined),
    routerTable: settings.HERALD_ROUTER_TABLE,
    messageTable: settings.HERALD_MESSAGE_TABLE,
  };
  if (role === 'tables') {
    return {
      role,
      logLevel: settings.HERALD_LOG_LEVEL,
      dynamoDb,
      dependencyTimeoutMs: settings.HERALD_DEPENDENCY_TIMEOUT_MS,
    };
  }

  const dataDir = resolve(settings.HERALD_DATA_DIR);
  if (keys === undefined) {
    // Only `dev` gets here: it keeps a generated key in its data dir. Touching the disk
    // happens only once everything else is known to be valid.
    const stored = loadOrCreateDevCryptoKeys(dataDir);
    if (!stored.ok) throw new ConfigError(heading, [stored.problem]);
    keys = { keys: stored.keys, source: stored.source };
  }

  return {
    role,
    logLevel: settings.HERALD_LOG_LEVEL,
    dynamoDb,
    dependencyTimeoutMs: settings.HERALD_DEPENDENCY_TIMEOUT_MS,
    host: settings.HERALD_HOST ?? DEFAULT_HOST[role],
    wsPort: settings.HERALD_WS_PORT,
    httpPort: settings.HERALD_HTTP_PORT,
    opsPort: settings.HERALD_OPS_PORT ?? DEFAULT_OPS_PORT[role],
    publicOrigin: settings.HERALD_PUBLIC_URL ?? `http://localhost:${settings.HERALD_HTTP_PORT}`,
    cryptoKeys: keys.keys,
    cryptoKeysSource: keys.source,
    natsServers: settings.HERALD_NATS_URL,
    nodeId: (settings.HERALD_NODE_ID as NodeId | undefined) ?? newNodeId(hostname()),
    dataDir,
    helloTimeoutMs: settings.HERALD_HELLO_TIMEOUT_MS,
    maxBodyBytes: settings.HERALD_MAX_BODY_BYTES,
    maxTtlSeconds: settings.HERALD_MAX_TTL_SECONDS,
    messageLimitPerDrain: settings.HERALD_MSG_LIMIT,
    shutdownTimeoutMs: settings.HERALD_SHUTDOWN_TIMEOUT_MS,
    build: { commit: settings.HERALD_COMMIT, build: settings.HERALD_BUILD },
  };
}

function parseCryptoKeys(
  text: string,
  problems: string[],
): { keys: CryptoKeys; source: 'env' } | undefined {
  try {
    return { keys: CryptoKeys.parse(text), source: 'env' };
  } catch (error) {
    // CryptoKeys.parse says what is wrong without echoing the secret.
    const reason = error instanceof Error ? error.message : String(error);
    problems.push(
      `HERALD_CRYPTO_KEYS is not a usable key list (${reason}): ${describeSetting('HERALD_CRYPTO_KEYS')}`,
    );
    return undefined;
  }
}

function invalidLine(name: SettingName, message: string, raw: string | undefined): string {
  // Credentials inside URLs (nats://user:pass@host) are not echoed either.
  const shown = raw?.replace(/\/\/[^@/\s]*@/g, '//***@');
  const got =
    SECRET_SETTINGS.has(name) || shown === undefined ? '' : ` (got ${JSON.stringify(shown)})`;
  return `${name} ${message}${got}: ${describeSetting(name)}`;
}

function requiredLine(name: SettingName, command: string): string {
  return `${name} is required for ${command}: ${describeSetting(name)}`;
}

/** Compose files and Helm often render unset settings as empty strings: treat them as unset. */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') result[name] = value;
  }
  return result;
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}
