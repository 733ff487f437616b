import { accessSync, constants } from 'node:fs';
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
  type Settings,
} from './settings';

/** What a process runs as; decides which settings are required and some defaults. */
export type Role = 'dev' | 'connection' | 'endpoint' | 'tables' | 'broadcast';
export type NodeRole = Exclude<Role, 'tables' | 'broadcast'>;

/** Where the DynamoDB tables are. */
export interface DynamoDbConfig {
  /** Endpoint override (DynamoDB Local, dynalite); `undefined` means AWS. */
  readonly endpoint: string | undefined;
  /** `AWS_REGION`; us-east-1 when an endpoint override is set and no region is. */
  readonly region: string | undefined;
  /**
   * `HERALD_DYNAMODB_MAX_SOCKETS`: the stores' connection pool bound. `herald tables
   * create` does not use it (the AWS SDK's client has its own pool).
   */
  readonly maxSockets: number;
  readonly routerTable: string;
  readonly messageTable: string;
}

/**
 * Overrides of what `/__version__` shows; each absent field falls back to the
 * `version.json` the CLI's build wrote.
 */
export interface BuildInfo {
  readonly commit: string | undefined;
  readonly build: string | undefined;
}

/** PEM files for serving TLS directly; both readable when this is defined. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** `herald broadcast`: a client of the endpoint's admin API. */
export interface BroadcastClientConfig {
  readonly role: 'broadcast';
  readonly logLevel: LogLevel;
  /** `HERALD_ADMIN_TOKEN`; required. */
  readonly adminToken: string;
  /** Where the admin API is: `HERALD_PUBLIC_URL`, default `http://localhost:<HERALD_HTTP_PORT>`. */
  readonly publicOrigin: string;
  readonly dependencyTimeoutMs: number;
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
  /** The most sockets one connection node holds; 0 = unlimited. */
  readonly maxConnections: number;
  /** How often a connection node re-reads broadcast versions. */
  readonly broadcastPollMs: number;
  /** `HERALD_ADMIN_TOKEN`: enables the endpoint's broadcast admin API when set. */
  readonly adminToken: string | undefined;
  /** Serve wss:// and https:// from these files; `undefined` serves plain ws/http. */
  readonly tls: TlsFiles | undefined;
  /** On SIGTERM, a connection node spreads its socket closes over this window. */
  readonly drainWindowMs: number;
  /** The whole graceful shutdown's deadline; always longer than `drainWindowMs`. */
  readonly shutdownTimeoutMs: number;
  readonly build: BuildInfo;
}

export type Config = NodeConfig | TablesConfig | BroadcastClientConfig;

/** The drain window when neither it nor the shutdown deadline is set. */
export const DEFAULT_DRAIN_WINDOW_MS = 30_000;
/** What the shutdown deadline adds to the drain window: NATS drain, stores, ops server. */
export const SHUTDOWN_MARGIN_MS = 10_000;

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
export function loadConfig(role: 'broadcast', env?: NodeJS.ProcessEnv): BroadcastClientConfig;
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
  if (role === 'broadcast' && isBlank(env.HERALD_ADMIN_TOKEN))
    problems.push(requiredLine('HERALD_ADMIN_TOKEN', command));
  const nodeRole = role !== 'tables' && role !== 'broadcast';
  if (nodeRole) problems.push(...tlsProblems(env));
  if (nodeRole && parsed.success) problems.push(...shutdownProblems(parsed.data));
  let keys: { keys: CryptoKeys; source: NodeConfig['cryptoKeysSource'] } | undefined;
  if (nodeRole) {
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
    maxSockets: settings.HERALD_DYNAMODB_MAX_SOCKETS,
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
  const publicOrigin =
    settings.HERALD_PUBLIC_URL ?? `http://localhost:${settings.HERALD_HTTP_PORT}`;
  if (role === 'broadcast') {
    return {
      role,
      logLevel: settings.HERALD_LOG_LEVEL,
      // Checked above: a blank token is a problem, reported before getting here.
      adminToken: settings.HERALD_ADMIN_TOKEN ?? '',
      publicOrigin,
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
    publicOrigin,
    cryptoKeys: keys.keys,
    cryptoKeysSource: keys.source,
    natsServers: settings.HERALD_NATS_URL,
    nodeId: (settings.HERALD_NODE_ID as NodeId | undefined) ?? newNodeId(hostname()),
    dataDir,
    helloTimeoutMs: settings.HERALD_HELLO_TIMEOUT_MS,
    maxBodyBytes: settings.HERALD_MAX_BODY_BYTES,
    maxTtlSeconds: settings.HERALD_MAX_TTL_SECONDS,
    messageLimitPerDrain: settings.HERALD_MSG_LIMIT,
    maxConnections: settings.HERALD_MAX_CONNECTIONS,
    broadcastPollMs: settings.HERALD_BROADCAST_POLL_MS,
    adminToken: settings.HERALD_ADMIN_TOKEN,
    tls:
      settings.HERALD_TLS_CERT_FILE !== undefined && settings.HERALD_TLS_KEY_FILE !== undefined
        ? { certFile: settings.HERALD_TLS_CERT_FILE, keyFile: settings.HERALD_TLS_KEY_FILE }
        : undefined,
    ...shutdownWindows(settings),
    build: { commit: settings.HERALD_COMMIT, build: settings.HERALD_BUILD },
  };
}

/**
 * The drain window and the shutdown deadline. Either may be set alone and the other
 * follows: the deadline defaults to the window plus {@link SHUTDOWN_MARGIN_MS}; the window
 * defaults to 30 s, or to half the deadline when only a deadline shorter than that is set
 * (configurations written before the window existed keep their behaviour).
 */
function shutdownWindows(settings: Settings): { drainWindowMs: number; shutdownTimeoutMs: number } {
  const deadline = settings.HERALD_SHUTDOWN_TIMEOUT_MS;
  const drainWindowMs =
    settings.HERALD_DRAIN_WINDOW_MS ??
    (deadline !== undefined
      ? Math.min(DEFAULT_DRAIN_WINDOW_MS, Math.floor(deadline / 2))
      : DEFAULT_DRAIN_WINDOW_MS);
  return { drainWindowMs, shutdownTimeoutMs: deadline ?? drainWindowMs + SHUTDOWN_MARGIN_MS };
}

/** A deadline that does not exceed the window would cut every drain short. */
function shutdownProblems(settings: Settings): string[] {
  const window = settings.HERALD_DRAIN_WINDOW_MS;
  const deadline = settings.HERALD_SHUTDOWN_TIMEOUT_MS;
  if (window === undefined || deadline === undefined || deadline > window) return [];
  return [
    `HERALD_SHUTDOWN_TIMEOUT_MS must exceed HERALD_DRAIN_WINDOW_MS (got ${deadline} and ${window}; leave room for NATS and DynamoDB to close, e.g. ${window + SHUTDOWN_MARGIN_MS}): ${describeSetting('HERALD_SHUTDOWN_TIMEOUT_MS')}`,
  ];
}

/** Both files or neither, and each readable by this process now rather than at first use. */
function tlsProblems(env: NodeJS.ProcessEnv): string[] {
  const cert = env.HERALD_TLS_CERT_FILE?.trim() ?? '';
  const key = env.HERALD_TLS_KEY_FILE?.trim() ?? '';
  if (cert === '' && key === '') return [];
  if (cert === '' || key === '') {
    const missing: SettingName = cert === '' ? 'HERALD_TLS_CERT_FILE' : 'HERALD_TLS_KEY_FILE';
    return [`${missing} is required when the other TLS file is set: ${describeSetting(missing)}`];
  }
  const problems: string[] = [];
  for (const [name, path] of [
    ['HERALD_TLS_CERT_FILE', cert],
    ['HERALD_TLS_KEY_FILE', key],
  ] as const) {
    try {
      accessSync(path, constants.R_OK);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      problems.push(
        `${name} names a file this process cannot read (${typeof code === 'string' ? code : 'error'}: ${JSON.stringify(path)}): ${describeSetting(name)}`,
      );
    }
  }
  return problems;
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
