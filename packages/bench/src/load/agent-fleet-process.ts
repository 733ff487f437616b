/**
 * A child process holding many WebSocket user agents (with `ws`), all bound to one
 * local address so that several fleets do not share one ephemeral-port range. Agents
 * `hello`, register one channel, then idle; every notification is acked at once and its
 * receipt time (`process.hrtime`, the same monotonic clock in every process) recorded
 * against the push id at the start of its body. Commands arrive over IPC (see `serveIpc`).
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { decryptPush, generateSubscriptionKeys, type SubscriptionKeys } from '@herald/testkit';
import { emitEvent, serveIpc } from '../processes/ipc-channel';
import { pushIdOfData, type Subscription } from './web-push-request';

const localAddress = process.argv[2] ?? '127.0.0.1';
/** Handshakes in flight per fleet while filling up: a steady ramp, not a SYN flood. */
const CONNECT_CONCURRENCY = 64;
/** One in this many payloads is decrypted, to show the pushes are real aes128gcm. */
const VERIFY_EVERY = 100;

interface Agent {
  socket: WebSocket | undefined;
  uaid: string;
  channelId: string;
  keys: SubscriptionKeys;
  endpoint?: string;
  v1Endpoint?: string;
  v1ChannelId?: string;
  received: number;
  versions: Set<string> | undefined;
  duplicates: number;
}

const groups = new Map<string, Agent[]>();
let receipts: [string, number][] = [];
let notifications = 0;
let verified = 0;
let verifyFailures = 0;
let unexpectedCloses = 0;
/** Told of every notification an agent receives while a storm is measured. */
let drainWatch: ((agent: Agent) => void) | undefined;

function onFrame(
  agent: Agent,
  socket: WebSocket,
  text: string,
  pending: Map<string, (f: Frame) => void>,
): void {
  const frame = JSON.parse(text) as Frame;
  if (frame.messageType === 'notification') {
    const now = Number(process.hrtime.bigint());
    notifications += 1;
    if (frame.data !== undefined) receipts.push([pushIdOfData(frame.data), now]);
    if (
      frame.headers?.encoding !== undefined &&
      notifications % VERIFY_EVERY === 1 &&
      frame.data !== undefined
    ) {
      try {
        decryptPush(
          { data: frame.data, headers: frame.headers as { encoding: string } },
          agent.keys,
        );
        verified += 1;
      } catch {
        verifyFailures += 1;
      }
    }
    if (agent.versions !== undefined) {
      if (agent.versions.has(frame.version ?? '')) agent.duplicates += 1;
      agent.versions.add(frame.version ?? '');
    }
    agent.received += 1;
    socket.send(
      `{"messageType":"ack","updates":[{"channelID":"${frame.channelID}","version":"${frame.version}"}]}`,
    );
    drainWatch?.(agent);
    return;
  }
  const waiter = pending.get(frame.messageType ?? '');
  if (waiter !== undefined) {
    pending.delete(frame.messageType ?? '');
    waiter(frame);
  }
}

interface Frame {
  messageType?: string;
  uaid?: string;
  status?: number;
  pushEndpoint?: string;
  channelID?: string;
  version?: string;
  data?: string;
  headers?: { encoding?: string };
}

interface Session {
  send(frame: object, expect: string): Promise<Frame>;
}

/** Opens the agent's socket; resolves once open, with a way to exchange frames. */
function open(agent: Agent, url: string, timeoutMs: number): Promise<Session> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'push-notification', {
      localAddress,
      perMessageDeflate: false,
    });
    const pending = new Map<string, (f: Frame) => void>();
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('open timed out'));
    }, timeoutMs);
    socket.on('message', (data: Buffer) => onFrame(agent, socket, data.toString('utf8'), pending));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('close', () => {
      if (agent.socket === socket) {
        agent.socket = undefined;
        unexpectedCloses += 1;
      }
      for (const waiter of pending.values()) waiter({ messageType: 'closed' });
    });
    socket.on('open', () => {
      clearTimeout(timer);
      agent.socket = socket;
      resolve({
        send: (frame, expect) =>
          new Promise((res, rej) => {
            const t = setTimeout(() => rej(new Error(`no ${expect} reply`)), timeoutMs);
            pending.set(expect, (f) => {
              clearTimeout(t);
              if (f.messageType === 'closed') rej(new Error(`closed before ${expect} reply`));
              else res(f);
            });
            socket.send(JSON.stringify(frame));
          }),
      });
    });
  });
}

async function helloAndRegister(
  agent: Agent,
  url: string,
  withKey: string | undefined,
  timeoutMs: number,
): Promise<void> {
  const session = await open(agent, url, timeoutMs);
  const hello = await session.send(
    { messageType: 'hello', uaid: agent.uaid, channelIDs: [], use_webpush: true },
    'hello',
  );
  if (hello.status !== 200 || hello.uaid === undefined)
    throw new Error(`hello status ${hello.status}`);
  agent.uaid = hello.uaid;
  const register = await session.send(
    {
      messageType: 'register',
      channelID: agent.channelId,
      ...(withKey === undefined ? {} : { key: withKey }),
    },
    'register',
  );
  if (register.status !== 200 || register.pushEndpoint === undefined)
    throw new Error(`register status ${register.status}`);
  agent.endpoint = register.pushEndpoint;
}

/** Runs `work` over `items` with at most `limit` in flight; counts failures. */
async function pool<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<{ failed: number; firstError?: string }> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failed += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return { failed, firstError };
}

function subscriptionOf(agent: Agent, endpoint: string): Subscription {
  return {
    endpoint,
    p256dh: agent.keys.publicKey.toString('base64url'),
    auth: agent.keys.authSecret.toString('base64url'),
  };
}

function groupOf(name: unknown): Agent[] {
  const group = groups.get(String(name));
  if (group === undefined) throw new Error(`no group ${String(name)}`);
  return group;
}

async function closeAgents(agents: Agent[]): Promise<void> {
  await Promise.all(
    agents.map(
      (agent) =>
        new Promise<void>((resolve) => {
          const socket = agent.socket;
          agent.socket = undefined;
          if (socket === undefined || socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close(1000);
          setTimeout(() => {
            socket.terminate();
            resolve();
          }, 5_000).unref();
        }),
    ),
  );
}

serveIpc(async (type, body) => {
  switch (type) {
    case 'connect': {
      const count = Number(body.count);
      const url = String(body.url);
      const withKey = typeof body.withKey === 'string' ? body.withKey : undefined;
      const agents: Agent[] = Array.from({ length: count }, () => ({
        socket: undefined,
        uaid: '',
        channelId: randomUUID(),
        keys: generateSubscriptionKeys(),
        received: 0,
        versions: undefined,
        duplicates: 0,
      }));
      const group = groups.get(String(body.group)) ?? [];
      groups.set(String(body.group), group);
      const startedMs = performance.now();
      const outcome = await pool(agents, CONNECT_CONCURRENCY, async (agent) => {
        await helloAndRegister(agent, url, withKey, 30_000);
        group.push(agent);
      });
      return {
        connected: count - outcome.failed,
        ...outcome,
        elapsedMs: performance.now() - startedMs,
      };
    }
    case 'register-v1': {
      const agents = groupOf(body.group).slice(0, Number(body.count));
      const outcome = await pool(agents, CONNECT_CONCURRENCY, async (agent) => {
        const socket = agent.socket;
        if (socket === undefined) throw new Error('agent not connected');
        const channelId = randomUUID();
        const reply = await new Promise<Frame>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no register reply')), 30_000);
          const listener = (data: Buffer): void => {
            const frame = JSON.parse(data.toString('utf8')) as Frame;
            if (frame.messageType === 'register' && frame.channelID === channelId) {
              clearTimeout(timer);
              socket.off('message', listener);
              resolve(frame);
            }
          };
          socket.on('message', listener);
          socket.send(JSON.stringify({ messageType: 'register', channelID: channelId }));
        });
        if (reply.status !== 200 || reply.pushEndpoint === undefined)
          throw new Error(`register status ${reply.status}`);
        agent.v1ChannelId = channelId;
        agent.v1Endpoint = reply.pushEndpoint;
      });
      return outcome;
    }
    case 'subscriptions': {
      const agents = groupOf(body.group).slice(
        0,
        body.count === undefined ? undefined : Number(body.count),
      );
      const v1 = body.kind === 'v1';
      return agents.flatMap((agent) => {
        const endpoint = v1 ? agent.v1Endpoint : agent.endpoint;
        return endpoint === undefined ? [] : [subscriptionOf(agent, endpoint)];
      });
    }
    case 'take-receipts': {
      const taken = receipts;
      receipts = [];
      return { receipts: taken, verified, verifyFailures, unexpectedCloses, notifications };
    }
    case 'close-group': {
      const agents = groups.get(String(body.group)) ?? [];
      await closeAgents(agents);
      groups.delete(String(body.group));
      return { closed: agents.length };
    }
    case 'disconnect': {
      const agents = groupOf(body.group).slice(0, Number(body.count));
      await closeAgents(agents);
      return { disconnected: agents.length };
    }
    case 'reconnect':
      return reconnect(
        groupOf(body.group).slice(0, Number(body.count)),
        String(body.url),
        Number(body.expectPerAgent),
        Number(body.timeoutMs),
      );
    default:
      throw new Error(`unknown request ${type}`);
  }
});

/**
 * The storm: every agent reconnects at once with its uaid and waits for its stored
 * notifications. Resolves when each agent that said hello holds `expectPerAgent`, or the
 * time is up (`drainedMs: null`). Agents whose hello failed are errors and are not
 * waited for: they can receive nothing.
 */
async function reconnect(
  agents: Agent[],
  url: string,
  expectPerAgent: number,
  timeoutMs: number,
): Promise<unknown> {
  const startedMs = performance.now();
  for (const agent of agents) {
    agent.received = 0;
    agent.duplicates = 0;
    agent.versions = new Set();
  }
  let helloMs = 0;
  let helloed = 0;
  let settledHellos = 0;
  /** Hello'd agents holding every message they expect, counted as they get there. */
  let complete = 0;
  const errors: string[] = [];
  let finishDrain: (drainedMs: number | null) => void = () => undefined;
  const drained = new Promise<number | null>((resolve) => (finishDrain = resolve));
  const deadline = setTimeout(() => finishDrain(null), timeoutMs);
  const checkDrained = (): void => {
    if (settledHellos === agents.length && complete === helloed) {
      finishDrain(performance.now() - startedMs);
    }
  };
  const helloedAgents = new Set<Agent>();
  drainWatch = (agent) => {
    if (agent.received === expectPerAgent && helloedAgents.has(agent)) {
      complete += 1;
      checkDrained();
    }
  };
  await Promise.all(
    agents.map(async (agent) => {
      try {
        const session = await open(agent, url, timeoutMs);
        const hello = await session.send(
          {
            messageType: 'hello',
            uaid: agent.uaid,
            channelIDs: [agent.channelId],
            use_webpush: true,
          },
          'hello',
        );
        if (hello.status !== 200) throw new Error(`hello status ${hello.status}`);
        if (hello.uaid !== agent.uaid) throw new Error('hello gave a new uaid');
        helloed += 1;
        helloedAgents.add(agent);
        // Notifications may arrive right behind the hello reply, before this line runs.
        if (agent.received >= expectPerAgent) complete += 1;
        helloMs = performance.now() - startedMs;
      } catch (error) {
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
        else errors.push('');
      } finally {
        settledHellos += 1;
      }
    }),
  );
  checkDrained();
  emitEvent({ type: 'storm-helloed', helloed });
  const drainedMs = await drained;
  clearTimeout(deadline);
  drainWatch = undefined;
  const received = agents.reduce((sum, a) => sum + a.received, 0);
  const duplicates = agents.reduce((sum, a) => sum + a.duplicates, 0);
  const missing = agents.reduce((sum, a) => sum + Math.max(0, expectPerAgent - a.received), 0);
  for (const agent of agents) agent.versions = undefined;
  return {
    agents: agents.length,
    helloed,
    helloMs,
    drainedMs,
    received,
    duplicates,
    missing,
    errors: errors.length,
    errorSamples: errors.filter(Boolean),
  };
}
