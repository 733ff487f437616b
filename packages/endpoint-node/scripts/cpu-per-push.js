// Measures the endpoint node's own CPU per accepted push, storage excluded: an endpoint
// app on core's memory stores and in-process bus runs in a child process, this process
// sends it keep-alive pushes (v2 token, one VAPID JWT so every push after the first is a
// cache hit, 64 B body) and reads the child's process.cpuUsage() around the timed run.
//
//   pnpm -F @herald/endpoint-node cpu-per-push \
//     [--pushes 20000] [--concurrency 16] [--runs 5] [--profile DIR]
//
// (it builds this package; core and runtime must be built, as `pnpm install` leaves
// them). --profile writes a .cpuprofile of the child (node --cpu-prof) into DIR.
// The bus here hands commands over by reference, so the NATS bus's JSON encoding
// (about 1.5 µs per push) is not included.
'use strict';
const { fork } = require('node:child_process');
const { generateKeyPairSync, randomBytes, sign } = require('node:crypto');
const http = require('node:http');
const { parseArgs } = require('node:util');

const { values: args } = parseArgs({
  options: {
    serve: { type: 'boolean', default: false },
    pushes: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    runs: { type: 'string', default: '5' },
    profile: { type: 'string' },
  },
});

if (args.serve) {
  serve().catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
} else {
  drive().catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}

/** The child: an endpoint node with a registry, silent logs, memory stores. */
async function serve() {
  const core = require('@herald/core');
  const { createRegistry } = require('@herald/runtime');
  const { createEndpointNode } = require('../dist');
  const silent = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    child: () => silent,
  };
  const keys = core.CryptoKeys.parse(core.CryptoKeys.generateKey());
  const nodeId = core.parseNodeId('connection-node-1');
  const routerStore = new core.MemoryRouterStore();
  const messageStore = new core.MemoryMessageStore();
  const bus = new core.InProcessBus();
  // The connection node's part, kept to a Map delete so rows do not pile up in the heap.
  await bus.listen(nodeId, (command) => {
    if (command.type !== 'deliver') return;
    const { uaid, storageKey, messageId } = command.notification;
    void messageStore.delete(uaid, storageKey, messageId);
  });
  const node = await createEndpointNode({
    port: 0,
    host: '127.0.0.1',
    publicOrigin: 'http://127.0.0.1',
    keys,
    routerStore,
    messageStore,
    bus,
    clock: core.systemClock,
    log: silent,
    registry: createRegistry(),
  });
  const { publicKey, privateKey } = vapidKeyPair();
  const uaid = core.newUaid();
  const channelId = core.newChannelId();
  await routerStore.addChannel(uaid, channelId, { nodeId, connectedAtMs: Date.now() });
  const { token } = core.makeEndpointToken(keys, { uaid, channelId, appServerKey: publicKey });
  const jwt = vapidJwt(privateKey, 'http://127.0.0.1');
  process.on('message', (message) => {
    if (message === 'cpu') process.send({ cpu: process.cpuUsage() });
    if (message === 'stop') void node.close().then(() => process.exit(0));
  });
  process.send({
    ready: {
      port: node.port,
      path: `/wpush/v2/${token}`,
      authorization: `vapid t=${jwt},k=${publicKey.toString('base64url')}`,
    },
  });
}

function vapidKeyPair() {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' });
  const publicKey = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(privateJwk.x, 'base64url'),
    Buffer.from(privateJwk.y, 'base64url'),
  ]);
  return { publicKey, privateKey };
}

function vapidJwt(privateKey, audience) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    aud: audience,
    exp: Math.floor(Date.now() / 1000) + 12 * 3600,
    sub: 'mailto:bench@example.com',
  };
  const signed = `${part({ typ: 'JWT', alg: 'ES256' })}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(signed), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${signed}.${signature.toString('base64url')}`;
}

/** The parent: starts the child, sends pushes, prints µs of child CPU per push. */
async function drive() {
  const pushes = Number(args.pushes);
  const concurrency = Number(args.concurrency);
  const execArgv = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
  const child = fork(__filename, ['--serve'], { execArgv, stdio: 'inherit' });
  const messages = [];
  const waiters = [];
  child.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else messages.push(message);
  });
  const next = () =>
    messages.length > 0
      ? Promise.resolve(messages.shift())
      : new Promise((resolve) => waiters.push(resolve));
  const { ready } = await next();
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const body = randomBytes(64);
  const headers = {
    TTL: '3600',
    'Content-Encoding': 'aes128gcm',
    Authorization: ready.authorization,
    'Content-Length': String(body.length),
  };
  const push = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: ready.port, path: ready.path, method: 'POST', headers, agent },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 201 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const burst = async (count) => {
    let sent = 0;
    const lane = async () => {
      while (sent < count) {
        sent += 1;
        await push();
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  };
  const cpu = async () => {
    child.send('cpu');
    return (await next()).cpu;
  };

  await burst(Math.min(5000, pushes)); // warm-up: JIT, caches, sockets
  const results = [];
  for (let run = 0; run < Number(args.runs); run += 1) {
    const before = await cpu();
    const startedAt = process.hrtime.bigint();
    await burst(pushes);
    const after = await cpu();
    const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
    const userUs = after.user - before.user;
    const systemUs = after.system - before.system;
    const perPush = (userUs + systemUs) / pushes;
    results.push(perPush);
    process.stdout.write(
      `run ${run + 1}: ${perPush.toFixed(1)} µs CPU/push (user ${(userUs / pushes).toFixed(1)}, system ${(systemUs / pushes).toFixed(1)}), ${Math.round(pushes / seconds)} pushes/s\n`,
    );
  }
  // Other processes on the machine only ever add to a run's CPU: the minimum is the
  // least disturbed run, the median the typical one.
  results.sort((a, b) => a - b);
  const median = results[Math.floor(results.length / 2)];
  process.stdout.write(
    `min ${results[0].toFixed(1)} µs/push, median ${median.toFixed(1)} µs/push\n`,
  );
  agent.destroy();
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
}
