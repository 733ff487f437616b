/** Renders a run's results as the Markdown summary written next to its JSON. */
import type { BenchResults } from '../results';
import { describeDrain } from './describe-drain';
import { floorReadings } from './targets';

function row(cells: (string | number | undefined)[]): string {
  return `| ${cells.map((c) => (c === undefined ? '' : String(c))).join(' | ')} |`;
}

/** The result cell; a miss whose floor is beyond the target says so. */
export function verdict(t: { met: boolean | undefined; floorBeyondTarget?: boolean }): string {
  if (t.met === undefined) return 'not measured';
  if (t.met) return '**met**';
  return t.floorBeyondTarget === true ? '**missed** (floor beyond target)' : '**missed**';
}

/** Idle CPU scaled to 10,000 connections: the figure the push steps' background is read against. */
function idleCpuPer10k(msPerSecond: number | undefined, connections: number): string | number {
  if (msPerSecond === undefined || connections === 0) return '—';
  return Math.round((msPerSecond / connections) * 10_000 * 10) / 10;
}

export function renderSummary(
  r: BenchResults,
  charts: { memory: string; latency: string },
): string {
  const m = r.meta;
  const lines: string[] = [
    `# Herald benchmark — ${m.profile} profile, ${m.startedAt}`,
    '',
    `Commit \`${m.commit}\`; ${m.machine.cpus} × ${m.machine.cpuModel}, ${m.machine.memoryGiB} GiB, Node ${m.machine.node}, ${m.machine.os}. ` +
      `Run took ${m.durationSeconds ?? '?'} s.`,
    '',
    '## Targets',
    '',
    row(['figure', 'target', 'measured', 'baseline (same run)', 'ratio', 'result']),
    row(['---', '---', '---', '---', '---', '---']),
    ...r.targets.map((t) => row([t.figure, t.target, t.measured, t.baseline, t.ratio, verdict(t)])),
    '',
    '## Baselines',
    '',
    row(['path piece', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  for (const [name, s] of [
    ['NATS publish→receive', r.baselines.natsPublishReceive],
    ['DynamoDB Local PutItem (via the counting proxy)', r.baselines.dynamoDbPutItem],
    ['bare uWS send→client receive', r.baselines.uwsSendReceive],
  ] as const) {
    lines.push(
      row([`${name} at ${r.baselines.rate}/s`, s?.count, s?.p50Ms, s?.p95Ms, s?.p99Ms, s?.maxMs]),
    );
  }
  const floors = floorReadings(r);
  for (const { when, floor } of floors) {
    const l = floor.latency;
    lines.push(
      row([
        `floor pipeline POST→receipt at ${floor.rate}/s, ${floor.agents} connected (${when})`,
        l.count,
        l.p50Ms,
        l.p95Ms,
        l.p99Ms,
        l.maxMs,
      ]),
    );
  }
  if (floors.length > 0) {
    lines.push(
      '',
      `The floor pipeline is the push path's I/O with none of Herald's work: a bare`,
      '`node:http` endpoint (GetItem + PutItem through the same proxy, a NATS publish, 201)',
      'and the bare uWS server (NATS → notification frame; acks deleted in BatchWriteItem',
      "calls of up to 25, held ≤ 100 ms). It is read before and after Herald's push",
      'scenarios; the targets use the mean of the readings.',
      '',
    );
    for (const { when, floor } of floors) {
      lines.push(
        `- ${when}: CPU per push endpoint ${floor.endpointCpuUsPerPush} µs, connection ` +
          `${floor.connectionCpuUsPerPush} µs; ${floor.accepted}/${floor.sent} accepted, ` +
          `${floor.delivered} delivered; DynamoDB ${floor.dynamoDbRequestsPerPush} requests per push.`,
      );
    }
  }
  lines.push('', '## 1. Idle density', '', `![memory per connection](${charts.memory})`, '');
  lines.push(
    row([
      'server',
      'processes',
      'connections',
      'connects/s',
      'failed',
      'RSS B/conn',
      'RSS B/conn marginal',
      'heap B/conn',
      'heap committed MiB',
      'idle CPU ms/s per 10,000 conns',
    ]),
  );
  lines.push(row(Array.from({ length: 10 }, () => '---')));
  for (const run of [r.idleDensity.singleProcess, r.idleDensity.reusePort]) {
    if (run === undefined) continue;
    for (const [name, steps] of [
      ['Herald', run.herald],
      ['bare uWS', run.bareUws],
    ] as const) {
      for (const s of steps) {
        lines.push(
          row([
            name,
            run.processes,
            s.connections,
            s.connectPerSecond,
            s.failed,
            s.rssPerConnectionBytes,
            s.rssMarginalPerConnectionBytes ?? '—',
            s.heapPerConnectionBytes,
            s.heapTotalBytes === undefined ? '—' : Math.round(s.heapTotalBytes / 2 ** 20),
            idleCpuPer10k(s.idleCpuMsPerSecond, s.connections),
          ]),
        );
      }
    }
  }
  lines.push(
    '',
    `## 2. Push throughput and latency (${r.pushThroughput.agents} agents connected)`,
    '',
    `![latency percentiles](${charts.latency})`,
    '',
  );
  lines.push(
    row([
      'rate/s',
      'sent',
      'accepted',
      'errors',
      'delivered',
      'accepted/s',
      'delivered/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'endpoint µs/push',
      'connection µs/push',
      'DynamoDB req/push',
      'sustainable',
    ]),
  );
  lines.push(row(Array.from({ length: 15 }, () => '---')));
  for (const s of r.pushThroughput.steps) {
    lines.push(
      row([
        s.rate,
        s.sent,
        s.accepted,
        s.errors,
        s.delivered,
        s.acceptedPerSecond,
        s.deliveredPerSecond,
        s.latency.p50Ms,
        s.latency.p95Ms,
        s.latency.p99Ms,
        s.latency.maxMs,
        s.endpointCpuUsPerPush,
        s.connectionCpuUsPerPush,
        s.dynamoDbRequestsPerPush,
        s.sustainable ? 'yes' : 'no',
      ]),
    );
  }
  lines.push(
    '',
    `Highest sustainable rate tried: ${r.pushThroughput.highestSustainableRate ?? 'none'} /s.`,
  );
  lines.push('', `## 3. Endpoint CPU per push (at ${r.endpointCpu.rate}/s)`, '');
  lines.push(row(['variant', 'what', 'accepted', 'µs per accepted push', 'p50 ms', 'p99 ms']));
  lines.push(row(['---', '---', '---', '---', '---', '---']));
  for (const v of r.endpointCpu.variants)
    lines.push(
      row([
        v.name,
        v.description,
        `${v.accepted}/${v.pushes}`,
        v.cpuUsPerAcceptedPush,
        v.latency.p50Ms,
        v.latency.p99Ms,
      ]),
    );
  const s = r.reconnectStorm;
  lines.push('', '## 4. Reconnect storm', '');
  if (s.agents !== undefined) {
    lines.push(
      `${s.agents} agents with ${s.storedAccepted}/${s.storedPushes} stored pushes reconnected at once: ${s.helloed} hello'd, ` +
        `all hello'd after ${s.allHelloedMs} ms, all ${describeDrain(s)}; ${s.received} received, ` +
        `${s.missing} missing, ${s.duplicates} duplicates, ${s.errors} errors${s.errorSamples?.length ? ` (${s.errorSamples.join('; ')})` : ''}. ` +
        `Connection-node CPU ${s.connectionCpuMs} ms; DynamoDB ${JSON.stringify(s.dynamoDbRequests)}.`,
    );
  }
  lines.push('', '## Profiles', '');
  for (const p of r.profiles) {
    lines.push(`### ${p.process} — ${p.window}`, '');
    lines.push(
      `By package (self time, % of busy): ${p.byPackage.map((b) => `${b.name} ${b.selfPercent}%`).join(', ')}`,
      '',
    );
    lines.push(row(['function', 'location', 'self %']), row(['---', '---', '---']));
    for (const h of p.top) lines.push(row([`\`${h.function}\``, h.location, h.selfPercent]));
    lines.push('');
    const a = p.allocation;
    if (a === undefined) continue;
    lines.push(
      `Allocated ${(a.bytesPerPush / 1024).toFixed(1)} KB per push (sampled, garbage included), by package: ` +
        `${a.byPackage.map((b) => `${b.name} ${b.selfPercent}%`).join(', ')}`,
      '',
      row(['allocated in', 'location', '% of bytes']),
      row(['---', '---', '---']),
    );
    for (const h of a.top) lines.push(row([`\`${h.function}\``, h.location, h.selfPercent]));
    lines.push('');
  }
  if (r.failures.length > 0)
    lines.push('## Failures', '', ...r.failures.map((f) => `- ${f.split('\n')[0]}`), '');
  return `${lines.join('\n')}\n`;
}
