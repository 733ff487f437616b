import {
  InProcessBus,
  MemoryBroadcastStore,
  MemoryMessageStore,
  MemoryRouterStore,
} from '@herald/core';
import { CryptoKeys, systemClock, type Logger } from '@herald/core';
import { createNatsBusMetrics } from '@herald/bus-nats';
import { createConnectionMetrics } from '@herald/connection-node';
import { createEndpointApp } from '@herald/endpoint-node';
import { EVENT_LOOP_SAMPLE_MS, createRegistry, type Registry } from '@herald/runtime';
import { createDynamoDbStores } from '@herald/storage-dynamodb';

/** Where each family of metrics is declared, for the "declared in" column. */
interface Source {
  readonly name: string;
  /** A paragraph under the heading, when the table alone could mislead. */
  readonly note?: readonly string[];
  readonly declare: (registry: Registry) => void;
}

const SILENT: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => SILENT,
};

/**
 * Every family in the order a process declares them. Each is declared on a fresh
 * registry the way the node does it, so the page lists exactly what the code declares.
 */
const SOURCES: readonly Source[] = [
  {
    name: 'connection node (`packages/connection-node/src/connection-metrics.ts`)',
    declare: (registry) => createConnectionMetrics(registry, () => 0),
  },
  {
    name: 'endpoint node (`packages/endpoint-node/src/endpoint-metrics.ts`)',
    declare: (registry) => {
      createEndpointApp({
        publicOrigin: 'http://localhost:8082',
        keys: CryptoKeys.parse(CryptoKeys.generateKey()),
        routerStore: new MemoryRouterStore(),
        messageStore: new MemoryMessageStore(),
        broadcastStore: new MemoryBroadcastStore(),
        bus: new InProcessBus(),
        clock: systemClock,
        log: SILENT,
        registry,
      });
    },
  },
  {
    name: 'NATS bus (`packages/bus-nats/src/nats-bus-metrics.ts`)',
    note: [
      'Declared by split nodes, and by `herald dev` when `HERALD_NATS_URL` is set (the',
      'in-process bus declares none). They describe the transport as this process sees it,',
      'every command type in both directions, plus connection state and round trips.',
      '`herald_bus_publish_total` (endpoint) and `herald_bus_commands_received_total`',
      '(connection node) count commands from the node’s side and exist with either bus:',
      'on an endpoint node the first matches `herald_nats_messages_published_total`',
      'summed over types; on a connection node the second matches',
      '`herald_nats_messages_received_total`, while its own publishes (forwarded',
      '`deliver`, `disconnect`) appear only in the NATS family. The round-trip histogram',
      'is fed by `/__heartbeat__` pings, subscription confirmations and a sample every 15 s.',
    ],
    // What `connectNatsBus({ registry })` declares, without dialling a server.
    declare: (registry) => createNatsBusMetrics(registry),
  },
  {
    name: 'DynamoDB stores (`packages/storage-dynamodb/src/dynamodb-metrics.ts`)',
    declare: (registry) => {
      // Declaring sends nothing: the client connects only on its first call.
      createDynamoDbStores({
        endpoint: 'http://127.0.0.1:9',
        routerTable: 'herald_router',
        messageTable: 'herald_message',
        log: SILENT,
        registry,
      }).close();
    },
  },
];

interface Row {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
  readonly help: string;
}

function rowsOf(registry: Registry, skip: ReadonlySet<string>): Row[] {
  return registry
    .getMetricsAsArray()
    .filter((metric) => !skip.has(metric.name))
    .map((metric) => {
      const declared = metric as unknown as { labelNames?: readonly string[]; type?: string };
      return {
        name: metric.name,
        type: String(declared.type ?? 'untyped'),
        labels: declared.labelNames ?? [],
        help: metric.help,
      };
    });
}

function table(rows: readonly Row[]): string[] {
  return [
    '| metric | type | labels | help |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.name}\` | ${row.type} | ${row.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${row.help.replace(/\|/g, '\\|')} |`,
    ),
  ];
}

/**
 * docs/metrics.md: every metric a Herald process can expose on `/metrics`, by the code
 * that declares it. `pnpm -F @herald/cli docs` writes it; a test fails when it is stale.
 */
export function renderMetricsDoc(): string {
  const processRegistry = createRegistry();
  const processRows = rowsOf(processRegistry, new Set());
  const processNames = new Set(processRows.map((row) => row.name));

  const sections: string[] = [];
  for (const source of SOURCES) {
    const registry = createRegistry();
    source.declare(registry);
    sections.push(
      `## ${capitalise(source.name)}`,
      '',
      ...(source.note !== undefined ? [...source.note, ''] : []),
      ...table(rowsOf(registry, processNames)),
      '',
    );
  }

  return [
    '# Metrics',
    '',
    '<!-- Generated by `pnpm -F @herald/cli docs` from the code that declares each metric.',
    '     Do not edit by hand: a test compares this file. -->',
    '',
    'Every node serves Prometheus text on its operations port (`HERALD_OPS_PORT`,',
    '`GET /metrics`). One registry per process: `herald dev` exposes the connection',
    'node, endpoint node and storage families together; a split node exposes its own',
    'family plus storage and the NATS bus. Labels are small fixed sets: never a uaid,',
    'channel id, token, URL or message id. Alerts and dashboards built on these are in',
    '[operations.md](operations.md#metrics-and-alerts).',
    '',
    ...sections,
    '## Process (prom-client default metrics, prefixed `herald_`)',
    '',
    'Declared by `createRegistry()` in `packages/runtime/src/metrics.ts`; some exist only',
    'on Linux (file descriptors, resident memory). The event-loop delay is sampled every',
    `${EVENT_LOOP_SAMPLE_MS} ms (prom-client's default of 10 ms cost an idle node ~7.5 ms of`,
    'CPU per second here), and the `_lag_min/max/mean/pNN_seconds` gauges record the',
    `interval between samples: ${EVENT_LOOP_SAMPLE_MS / 1000} s means no lag at all.`,
    '',
    ...table(processRows),
    '',
  ].join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
