/**
 * The run's order: baselines, idle density on one process (bare uWS, then Herald, whose
 * agents stay connected for scenarios 2–4), push throughput, a profiled burst, endpoint
 * CPU variants, the reconnect storm, the floor pipeline a second time (so drift over the
 * run shows), then idle density over SO_REUSEPORT processes.
 * Results are checkpointed to the JSON after each scenario; a failing scenario is
 * recorded and the run goes on where it can.
 */
import { join } from 'node:path';
import type { BenchEnvironment } from './bench-environment';
import {
  closeGroup,
  collectReceipts,
  connectSpread,
  subscriptionsOf,
} from './load/fleet-operations';
import type { BenchProfile } from './profiles';
import type { ProbedProcess } from './processes/herald-node';
import { heapProfilePath } from './processes/profile-files';
import { summariseAllocations, summariseProfile } from './report/profile-summary';
import type { BenchResults, FloorPipeline } from './results';
import { natsLatency, putItemLatency } from './scenarios/baselines';
import { measureEndpointCpu } from './scenarios/endpoint-cpu';
import { measureFloorPipeline } from './scenarios/floor-pipeline';
import { measureIdleDensity } from './scenarios/idle-density';
import { measurePushThroughput } from './scenarios/push-throughput';
import { runPushStep } from './scenarios/push-step';
import { runReconnectStorm } from './scenarios/reconnect-storm';
import { summarise } from './stats';

/** What `--only` can pick; the Herald node and its agents are set up for any but `baselines`. */
export const SCENARIO_NAMES = [
  'baselines',
  'idle',
  'push',
  'endpoint',
  'storm',
  'reuseport',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface RunContext {
  readonly env: BenchEnvironment;
  readonly profile: BenchProfile;
  readonly results: BenchResults;
  readonly outDir: string;
  readonly stamp: string;
  readonly log: (line: string) => void;
  readonly checkpoint: () => void;
  /** Run only these scenarios (`--only`); undefined runs every one. */
  readonly only?: ReadonlySet<ScenarioName>;
}

const MESSAGE_TABLE = 'herald_message';

export async function runScenarios(c: RunContext): Promise<void> {
  const { env, profile: p, results, log } = c;
  const selected = (...names: ScenarioName[]): boolean =>
    c.only === undefined || names.some((name) => c.only?.has(name));
  const attempt = async (
    scenario: ScenarioName[],
    name: string,
    run: () => Promise<void>,
  ): Promise<void> => {
    if (!selected(...scenario)) return;
    log(name);
    try {
      await run();
    } catch (error) {
      results.failures.push(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      log(`  ${name} failed: ${String(error)}`);
    }
    c.checkpoint();
  };

  await attempt(
    ['baselines'],
    `baselines at ${p.targetRate}/s: NATS publish→receive, DynamoDB Local PutItem`,
    async () => {
      results.baselines.natsPublishReceive = await natsLatency(
        env.natsUrl,
        p.targetRate,
        p.baselineSamples,
      );
      results.baselines.dynamoDbPutItem = await putItemLatency(
        env.dynamoDbEndpoint,
        MESSAGE_TABLE,
        p.targetRate,
        p.baselineSamples,
      );
      log(`  NATS ${JSON.stringify(results.baselines.natsPublishReceive)}`);
      log(`  PutItem ${JSON.stringify(results.baselines.dynamoDbPutItem)}`);
    },
  );

  const fleets = env.startFleets(p.fleets);
  const generator = env.startGenerator();
  /** A floor endpoint and one bare uWS server wired to it, for `body`; both stopped after. */
  const withFloorServers = async (
    group: string,
    body: (
      floor: { node: ProbedProcess; origin: string },
      bare: { servers: ProbedProcess[]; url: string },
    ) => Promise<void>,
  ): Promise<void> => {
    const floor = await env.startFloorEndpoint();
    const bare = await env.startBareServers(1, floor.origin);
    try {
      await body(floor, bare);
    } finally {
      await closeGroup(fleets, group);
      await Promise.all([...bare.servers, floor.node].map((s) => env.group.stop(s.handle)));
    }
  };
  const floorAt = async (
    when: string,
    floor: { node: ProbedProcess; origin: string },
    bare: ProbedProcess,
    group: string,
  ): Promise<FloorPipeline> => {
    const f = await measureFloorPipeline({
      env,
      generator,
      fleets,
      endpoint: floor.node,
      audience: floor.origin,
      connection: bare,
      group,
      rate: p.targetRate,
      count: Math.round(p.targetRate * p.pushStepSeconds),
    });
    log(
      `  floor pipeline (${when}): ${f.delivered}/${f.sent} delivered, p50 ${f.latency.p50Ms} ` +
        `p99 ${f.latency.p99Ms} ms, endpoint ${f.endpointCpuUsPerPush} µs, ` +
        `connection ${f.connectionCpuUsPerPush} µs, DynamoDB ${f.dynamoDbRequestsPerPush}/push`,
    );
    return f;
  };
  results.idleDensity.singleProcess = { processes: 1, herald: [], bareUws: [] };

  await attempt(
    ['idle', 'baselines'],
    `scenario 1 baseline: bare uWS, one process; then uWS send→receive and the floor pipeline at ${p.targetRate}/s`,
    () =>
      withFloorServers('bare', async (floor, bare) => {
        results.idleDensity.singleProcess!.bareUws = await measureIdleDensity({
          servers: bare.servers,
          fleets,
          url: bare.url,
          group: 'bare',
          steps: p.idleSteps,
          log,
        });
        await collectReceipts(fleets, 0, 0);
        await bare.servers[0]!.ipc.request(
          'send',
          { rate: p.targetRate, count: p.baselineSamples },
          600_000,
        );
        const receipts = await collectReceipts(fleets, p.baselineSamples, 2_000);
        results.baselines.uwsSendReceive = summarise(
          [...receipts.byId].map(([sentNs, receivedNs]) => (receivedNs - Number(sentNs)) / 1e6),
        );
        log(`  uWS send ${JSON.stringify(results.baselines.uwsSendReceive)}`);
        results.baselines.floorPipeline = await floorAt(
          'before Herald',
          floor,
          bare.servers[0]!,
          'bare',
        );
      }),
  );

  let endpoint: ProbedProcess | undefined;
  let connection: ProbedProcess | undefined;
  let origin = '';
  let connectionUrl = '';
  // Scenarios 2–4 run against the agents this connects; without `idle` it fills in one step.
  await attempt(
    ['idle', 'push', 'endpoint', 'storm'],
    'scenario 1: Herald, one connection-node process',
    async () => {
      const started = await env.startEndpointNode();
      endpoint = started.node;
      origin = started.origin;
      const nodes = await env.startConnectionNodes(1, origin);
      connection = nodes.nodes[0];
      connectionUrl = nodes.url;
      results.idleDensity.singleProcess!.herald = await measureIdleDensity({
        servers: nodes.nodes,
        fleets,
        url: connectionUrl,
        group: 'main',
        steps: selected('idle') ? p.idleSteps : p.idleSteps.slice(-1),
        withKey: env.vapid.publicKey,
        log,
        idleProfilePath: join(c.outDir, 'profiles', `${c.stamp}-connection-idle.cpuprofile`),
      });
    },
  );

  const common = () => {
    if (endpoint === undefined || connection === undefined)
      throw new Error('no Herald nodes (scenario 1 failed)');
    return { env, generator, fleets, endpoint, connections: [connection], audience: origin };
  };

  await attempt(
    ['push'],
    `scenario 2: push throughput and latency at ${p.pushRates.join(', ')}/s and up`,
    async () => {
      const base = common();
      const subscriptions = await subscriptionsOf(fleets, 'main', 'v2');
      results.pushThroughput.agents = subscriptions.length;
      await generator.request('set-subscriptions', { set: 'v2', subscriptions });
      const measured = await measurePushThroughput({
        ...base,
        subscriptionSet: 'v2',
        rates: p.pushRates,
        maxRate: p.maxRate,
        stepSeconds: p.pushStepSeconds,
        log,
      });
      results.pushThroughput.steps = measured.steps;
      results.pushThroughput.highestSustainableRate = measured.highestSustainableRate;
    },
  );

  await attempt(
    ['endpoint'],
    'scenario 3: endpoint CPU per push (VAPID hit/miss, 4 KB, v1/v2)',
    async () => {
      const base = common();
      const perFleet = Math.ceil(
        Math.min(p.endpointCpuPushes, results.pushThroughput.agents) / fleets.length,
      );
      await Promise.all(
        fleets.map((f) =>
          f.ipc.request('register-v1', { group: 'main', count: perFleet }, 300_000),
        ),
      );
      await generator.request('set-subscriptions', {
        set: 'v1',
        subscriptions: await subscriptionsOf(fleets, 'main', 'v1'),
      });
      results.endpointCpu.variants = await measureEndpointCpu({
        ...base,
        rate: p.targetRate,
        pushes: p.endpointCpuPushes,
        v2Set: 'v2',
        v1Set: 'v1',
        log,
      });
    },
  );

  // Last of the push windows: stopping the profilers leaves work behind (the profiles'
  // garbage, code compiled while allocations were sampled) that must not land in a
  // measured window. In runs with it before scenario 3, the first variant read 20-35 %
  // above the others.
  await attempt(
    ['push'],
    `CPU profiles of the endpoint and connection node at ${p.targetRate * 2}/s (not counted)`,
    async () => {
      const base = common();
      const files = {
        endpoint: join(c.outDir, 'profiles', `${c.stamp}-endpoint.cpuprofile`),
        connection: join(c.outDir, 'profiles', `${c.stamp}-connection.cpuprofile`),
      };
      const pushes = Math.round(p.targetRate * 2 * p.pushStepSeconds);
      await runPushStep({
        ...base,
        subscriptionSet: 'v2',
        rate: p.targetRate * 2,
        count: pushes,
        offset: 0,
        beforeBurst: async () => {
          await Promise.all([base.endpoint.profileStart(), base.connections[0]!.profileStart()]);
        },
        afterBurst: async () => {
          await Promise.all([
            base.endpoint.profileStop(files.endpoint),
            base.connections[0]!.profileStop(files.connection),
          ]);
        },
      });
      const window = `${p.targetRate * 2} pushes/s for ${p.pushStepSeconds} s, ${results.pushThroughput.agents} agents`;
      results.profiles = [
        {
          process: 'endpoint node',
          window,
          file: files.endpoint,
          ...summariseProfile(files.endpoint),
          allocation: summariseAllocations(heapProfilePath(files.endpoint), pushes),
        },
        {
          process: 'connection node',
          window,
          file: files.connection,
          ...summariseProfile(files.connection),
          allocation: summariseAllocations(heapProfilePath(files.connection), pushes),
        },
      ];
      for (const profile of results.profiles) {
        log(
          `  ${profile.process}: ${profile.byPackage
            .slice(0, 6)
            .map((b) => `${b.name} ${b.selfPercent}%`)
            .join(', ')}`,
        );
      }
    },
  );

  await attempt(['storm'], `scenario 4: reconnect storm of ${p.stormAgents}`, async () => {
    const base = common();
    results.reconnectStorm = await runReconnectStorm({
      ...base,
      group: 'main',
      url: connectionUrl,
      agents: Math.min(p.stormAgents, results.pushThroughput.agents),
      messagesPerAgent: p.stormMessagesPerAgent,
      storeRate: p.targetRate * 2,
      log,
    });
  });

  await closeGroup(fleets, 'main').catch(() => undefined);
  await Promise.all(
    [connection, endpoint].map((n) =>
      n === undefined ? Promise.resolve() : env.group.stop(n.handle),
    ),
  );

  await attempt(
    ['push'],
    `the floor pipeline again at ${p.targetRate}/s, after Herald's push scenarios`,
    async () => {
      if (results.pushThroughput.steps.length === 0) {
        log('  skipped: the push scenario measured nothing to compare with');
        return;
      }
      await withFloorServers('bare-after', async (floor, bare) => {
        const agents = p.idleSteps.at(-1) ?? 0;
        const connected = await connectSpread(fleets, 'bare-after', bare.url, agents, undefined);
        if (connected.failed > 0)
          throw new Error(`${connected.failed} of ${agents} agents failed to connect`);
        results.baselines.floorPipelineAfter = await floorAt(
          'after Herald',
          floor,
          bare.servers[0]!,
          'bare-after',
        );
      });
    },
  );

  const total = p.reusePortNodes * p.reusePortPerNode;
  results.idleDensity.reusePort = { processes: p.reusePortNodes, herald: [], bareUws: [] };
  await attempt(
    ['reuseport'],
    `scenario 1 over SO_REUSEPORT: ${p.reusePortNodes} bare uWS processes, ${total} connections`,
    async () => {
      const bare = await env.startBareServers(p.reusePortNodes);
      try {
        results.idleDensity.reusePort!.bareUws = await measureIdleDensity({
          servers: bare.servers,
          fleets,
          url: bare.url,
          group: 'bare4',
          steps: [total],
          log,
        });
      } finally {
        await closeGroup(fleets, 'bare4');
        await Promise.all(bare.servers.map((s) => env.group.stop(s.handle)));
      }
    },
  );
  await attempt(
    ['reuseport'],
    `scenario 1 over SO_REUSEPORT: ${p.reusePortNodes} Herald connection nodes, ${total} connections`,
    async () => {
      const nodes = await env.startConnectionNodes(
        p.reusePortNodes,
        origin || 'http://127.0.0.1:1',
      );
      try {
        results.idleDensity.reusePort!.herald = await measureIdleDensity({
          servers: nodes.nodes,
          fleets,
          url: nodes.url,
          group: 'herald4',
          steps: [total],
          withKey: env.vapid.publicKey,
          log,
        });
      } finally {
        await closeGroup(fleets, 'herald4');
        await Promise.all(nodes.nodes.map((n) => env.group.stop(n.handle)));
      }
    },
  );
}
