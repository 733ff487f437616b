import { z } from 'zod';

/**
 * The catalogue of environment variables: one zod schema per variable, each with a line
 * of description. The description is what an operator reads in a configuration error,
 * so it says what the value is for and gives an example.
 *
 * Role-dependent rules (what is required where, defaults that differ per role) live in
 * `config.ts`; here every variable is optional and parsed on its own.
 */

const PORT_MESSAGE = 'must be an integer from 0 to 65535 (0 picks a free port)';

const port = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, PORT_MESSAGE)
  .transform(Number)
  .refine((n) => n <= 65535, PORT_MESSAGE);

function positiveInteger(max: number) {
  const message = `must be a whole number from 1 to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, message);
}

function nonNegativeInteger(max: number) {
  const message = `must be a whole number from 0 to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .refine((n) => n <= max, message);
}

/** A path to a file; whether it is readable is checked in config.ts, with the pair rule. */
const filePath = z.string().trim().min(1, 'must be a file path');

/** An http(s) origin, with nothing after it but an optional `/`. */
const origin = z
  .string()
  .trim()
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be an absolute URL such as https://push.example.com',
      });
      return z.NEVER;
    }
    const problems: string[] = [];
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('use http or https');
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || text.includes('?')) {
      problems.push('have no path, query or fragment');
    }
    if (url.username !== '' || url.password !== '') problems.push('carry no credentials');
    if (problems.length > 0) {
      ctx.addIssue({ code: 'custom', message: `must ${problems.join(' and ')}` });
      return z.NEVER;
    }
    return url.origin;
  });

const natsServers = z.string().transform((text, ctx) => {
  const servers = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (servers.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must list at least one server' });
    return z.NEVER;
  }
  const bad = servers.filter((s) => !isNatsServerUrl(s));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `must be nats://host:port or tls://host:port, comma-separated (not ${bad.map((s) => JSON.stringify(s)).join(', ')})`,
    });
    return z.NEVER;
  }
  return servers;
});

function isNatsServerUrl(text: string): boolean {
  const match = /^(nats|tls):\/\/([^/?#]+)\/?$/.exec(text);
  if (!match) return false;
  try {
    const url = new URL(text);
    return url.hostname !== '' && url.pathname.replace(/^\/$/, '') === '';
  } catch {
    return false;
  }
}

const httpUrl = z
  .string()
  .trim()
  .refine((text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL such as http://127.0.0.1:8000');

// DynamoDB's own rule for table names.
const tableName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be 3 to 255 characters of A-Z a-z 0-9 _ . -');

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every variable Herald reads. Unknown variables are ignored. */
export const settingsSchema = z.object({
  HERALD_WS_PORT: port
    .default(8080)
    .describe("the connection node's public port; user agents connect to ws://host:port/"),
  HERALD_HTTP_PORT: port
    .default(8082)
    .describe("the endpoint node's public port; application servers POST pushes to it"),
  HERALD_HOST: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'the address the public and ops ports bind to, e.g. 0.0.0.0 (default) or 127.0.0.1 (default for dev)',
    ),
  HERALD_PUBLIC_URL: origin
    .optional()
    .describe(
      "the endpoint service's origin as application servers see it (builds pushEndpoint; the only accepted VAPID aud), e.g. https://push.example.com",
    ),
  HERALD_CRYPTO_KEYS: z
    .string()
    .optional()
    .describe(
      'comma-separated endpoint-token keys shared by every node (the first encrypts, all decrypt); make one with `herald keys generate`',
    ),
  HERALD_NATS_URL: natsServers
    .optional()
    .describe(
      'the NATS server(s) nodes use to reach each other, e.g. nats://127.0.0.1:4222 (comma-separated for a cluster)',
    ),
  HERALD_DYNAMODB_ENDPOINT: httpUrl
    .optional()
    .describe(
      'a DynamoDB endpoint override (DynamoDB Local, dynalite), e.g. http://127.0.0.1:8000; unset means AWS',
    ),
  AWS_REGION: z
    .string()
    .trim()
    .regex(/^[a-z0-9-]{1,32}$/, 'must be a region name such as eu-west-1')
    .optional()
    .describe(
      'the AWS region of the DynamoDB tables, e.g. eu-west-1 (us-east-1 when HERALD_DYNAMODB_ENDPOINT is set)',
    ),
  HERALD_DYNAMODB_MAX_SOCKETS: positiveInteger(10_000)
    .default(96)
    .describe(
      'the most connections a node keeps open to DynamoDB; further calls queue for a free one (time queued counts against the request timeout)',
    ),
  HERALD_ROUTER_TABLE: tableName
    .default('herald_router')
    .describe('the router table: uaid → node and channels'),
  HERALD_MESSAGE_TABLE: tableName
    .default('herald_message')
    .describe('the message table: stored notifications'),
  HERALD_NODE_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 characters of A-Z a-z 0-9 _ -')
    .optional()
    .describe(
      "this node's id on the bus; unique per process (default: host name plus a random suffix)",
    ),
  HERALD_DATA_DIR: z
    .string()
    .trim()
    .min(1)
    .default('./.herald')
    .describe('where `herald dev` keeps its embedded store and generated key'),
  HERALD_OPS_PORT: port
    .optional()
    .describe('the operations port (health, /metrics, /__version__); never expose it publicly'),
  HERALD_LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info')
    .describe('the lowest level logged as JSON on stdout'),
  HERALD_HELLO_TIMEOUT_MS: positiveInteger(600_000)
    .default(10_000)
    .describe('how long a new WebSocket may stay silent before its hello'),
  HERALD_MAX_BODY_BYTES: positiveInteger(1_048_576)
    .default(5630)
    .describe('the largest push body the endpoint accepts (bigger → 413)'),
  HERALD_MAX_TTL_SECONDS: positiveInteger(31_536_000)
    .default(2_592_000)
    .describe('the TTL longer requests are clamped to (default 30 days)'),
  HERALD_MSG_LIMIT: positiveInteger(100_000)
    .default(150)
    .describe('stored messages one user agent may accumulate before its uaid is reset'),
  HERALD_DEPENDENCY_TIMEOUT_MS: positiveInteger(600_000)
    .default(10_000)
    .describe('how long start-up and health checks wait for DynamoDB and NATS'),
  HERALD_DRAIN_WINDOW_MS: nonNegativeInteger(3_600_000)
    .optional()
    .describe(
      'on SIGTERM, the time a connection node spreads its socket closes over (so clients do not all reconnect at once) and an endpoint node gives in-flight requests',
    ),
  HERALD_SHUTDOWN_TIMEOUT_MS: positiveInteger(3_600_000)
    .optional()
    .describe(
      'how long a graceful shutdown may take before the process exits anyway (status 1); must exceed HERALD_DRAIN_WINDOW_MS',
    ),
  HERALD_MAX_CONNECTIONS: nonNegativeInteger(10_000_000)
    .default(0)
    .describe(
      'the most WebSockets one connection node holds; more are closed at once with 1013 (try again later) and counted. 0 = unlimited',
    ),
  HERALD_BROADCAST_POLL_MS: positiveInteger(86_400_000)
    .default(30_000)
    .describe(
      'how often a connection node re-reads broadcast versions from DynamoDB (changes also arrive at once over the bus)',
    ),
  HERALD_ADMIN_TOKEN: z
    .string()
    .trim()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      "the bearer token of the endpoint's broadcast admin API (/v1/broadcasts) and of `herald broadcast`; unset: the API answers 404. Make one with `openssl rand -hex 32`",
    ),
  HERALD_TLS_CERT_FILE: filePath
    .optional()
    .describe(
      'a PEM certificate (chain) file: serve wss:// and https:// directly, for installs without a TLS-terminating proxy; set with HERALD_TLS_KEY_FILE',
    ),
  HERALD_TLS_KEY_FILE: filePath
    .optional()
    .describe('the PEM private key file of HERALD_TLS_CERT_FILE; set both or neither'),
  HERALD_COMMIT: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'the source commit shown on /__version__, overriding the one recorded at build time (dist/version.json)',
    ),
  HERALD_BUILD: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'the build id shown on /__version__, overriding the build time recorded in dist/version.json',
    ),
});

export type SettingName = keyof typeof settingsSchema.shape;
export type Settings = z.infer<typeof settingsSchema>;

/** The one-line description of a variable, for error messages and `--help`. */
export function describeSetting(name: SettingName): string {
  return settingsSchema.shape[name].description ?? '';
}

/** Variables whose values are secret: never echoed in errors or logs. */
export const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set([
  'HERALD_CRYPTO_KEYS',
  'HERALD_ADMIN_TOKEN',
]);
