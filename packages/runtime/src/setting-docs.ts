import type { Role } from './config';
import { describeSetting, settingsSchema, type SettingName } from './settings';

/** Where a variable is read and what it is when unset, as operators read it. */
export interface SettingDoc {
  readonly name: SettingName;
  /** The commands that read it (`herald <role>`). */
  readonly roles: readonly Role[];
  /** The value used when it is unset, in words where it depends on the role. */
  readonly defaultText: string;
  readonly description: string;
}

const NODES = ['dev', 'connection', 'endpoint'] as const;
const SPLIT = ['connection', 'endpoint'] as const;
const STORES = ['dev', 'connection', 'endpoint', 'tables'] as const;
const CONNECTION = ['dev', 'connection'] as const;
const ENDPOINT = ['dev', 'endpoint'] as const;

/**
 * The roles and default of every variable. `satisfies` makes a variable added to the zod
 * catalogue fail to compile until it is placed here, so `--help` and
 * docs/configuration.md cannot miss it.
 */
const CATALOGUE = {
  HERALD_WS_PORT: { roles: CONNECTION, defaultText: '8080' },
  HERALD_HTTP_PORT: { roles: [...ENDPOINT, 'broadcast'], defaultText: '8082' },
  HERALD_HOST: { roles: NODES, defaultText: '0.0.0.0; 127.0.0.1 for dev' },
  HERALD_PUBLIC_URL: {
    roles: [...NODES, 'broadcast'],
    defaultText: 'http://localhost:<HERALD_HTTP_PORT>',
  },
  HERALD_CRYPTO_KEYS: {
    roles: NODES,
    defaultText: 'required for connection and endpoint; dev generates one into its data dir',
  },
  HERALD_NATS_URL: {
    roles: NODES,
    defaultText: 'required for connection and endpoint; dev uses an in-process bus',
  },
  HERALD_DYNAMODB_ENDPOINT: { roles: STORES, defaultText: 'AWS; dev runs embedded dynalite' },
  AWS_REGION: {
    roles: STORES,
    defaultText: 'the AWS SDK’s own resolution; us-east-1 with an endpoint override',
  },
  // Not `tables`: table creation goes through the AWS SDK's client and its own pool.
  HERALD_DYNAMODB_MAX_SOCKETS: { roles: NODES, defaultText: '96' },
  HERALD_ROUTER_TABLE: { roles: STORES, defaultText: 'herald_router' },
  HERALD_MESSAGE_TABLE: { roles: STORES, defaultText: 'herald_message' },
  HERALD_NODE_ID: { roles: NODES, defaultText: 'host name plus a random suffix' },
  HERALD_DATA_DIR: { roles: ['dev'], defaultText: './.herald' },
  HERALD_OPS_PORT: { roles: NODES, defaultText: '8081; 8083 for endpoint' },
  HERALD_LOG_LEVEL: { roles: [...STORES, 'broadcast'], defaultText: 'info' },
  HERALD_HELLO_TIMEOUT_MS: { roles: CONNECTION, defaultText: '10000' },
  HERALD_MAX_BODY_BYTES: { roles: ENDPOINT, defaultText: '5630' },
  HERALD_MAX_TTL_SECONDS: { roles: ENDPOINT, defaultText: '2592000' },
  HERALD_MSG_LIMIT: { roles: CONNECTION, defaultText: '150' },
  HERALD_DEPENDENCY_TIMEOUT_MS: { roles: [...STORES, 'broadcast'], defaultText: '10000' },
  HERALD_DRAIN_WINDOW_MS: {
    roles: SPLIT,
    defaultText: '30000, or half of HERALD_SHUTDOWN_TIMEOUT_MS when only that is set',
  },
  HERALD_SHUTDOWN_TIMEOUT_MS: { roles: NODES, defaultText: 'HERALD_DRAIN_WINDOW_MS + 10000' },
  HERALD_MAX_CONNECTIONS: { roles: CONNECTION, defaultText: '0 (unlimited)' },
  HERALD_BROADCAST_POLL_MS: { roles: CONNECTION, defaultText: '30000' },
  HERALD_ADMIN_TOKEN: {
    roles: [...ENDPOINT, 'broadcast'],
    defaultText: 'unset: admin API off; required by herald broadcast',
  },
  HERALD_TLS_CERT_FILE: { roles: NODES, defaultText: 'unset: plain ws:// and http://' },
  HERALD_TLS_KEY_FILE: { roles: NODES, defaultText: 'unset' },
  HERALD_COMMIT: { roles: NODES, defaultText: 'the commit recorded at build time' },
  HERALD_BUILD: { roles: NODES, defaultText: 'the build time recorded at build time' },
} satisfies Record<SettingName, { roles: readonly Role[]; defaultText: string }>;

/** Every variable, in the catalogue's order. */
export function settingDocs(): SettingDoc[] {
  return (Object.keys(settingsSchema.shape) as SettingName[]).map((name) => ({
    name,
    roles: CATALOGUE[name].roles,
    defaultText: CATALOGUE[name].defaultText,
    description: describeSetting(name),
  }));
}

/** The variables `role` reads, in the catalogue's order. */
export function settingsOf(role: Role): SettingDoc[] {
  return settingDocs().filter((doc) => doc.roles.includes(role));
}
