/**
 * CI runs the suite's tiny `--smoke` profile: it must start every process, measure each
 * scenario and write its JSON and summary. Figures are not judged here (benchmarks are
 * not timed tests); only that every section was filled in.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResults } from '../src/results';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const outDir = mkdtempSync(join(tmpdir(), 'herald-bench-smoke-'));
let exitCode: number | null = null;
let output = '';
let results: BenchResults;

beforeAll(async () => {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run \`pnpm build\` first (the root \`pnpm test\` does)`);
  const child = spawn(process.execPath, [MAIN, '--smoke', '--out-dir', outDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  exitCode = await new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const json = readdirSync(outDir).find((name) => name.endsWith('.json'));
  if (json === undefined) throw new Error(`no JSON written; output:\n${output}`);
  results = JSON.parse(readFileSync(join(outDir, json), 'utf8')) as BenchResults;
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the smoke profile', () => {
  it('finishes without a failed scenario', () => {
    expect({ exitCode, failures: results.failures }).toEqual({ exitCode: 0, failures: [] });
  });

  it('writes the baselines of every path piece', () => {
    expect(results.baselines.natsPublishReceive?.count).toBeGreaterThan(0);
    expect(results.baselines.dynamoDbPutItem?.count).toBeGreaterThan(0);
    expect(results.baselines.uwsSendReceive?.count).toBeGreaterThan(0);
  });

  it.each(['floorPipeline', 'floorPipelineAfter'] as const)(
    'runs the floor pipeline end to end (%s): every push accepted and delivered, CPU read',
    (reading) => {
      const floor = results.baselines[reading];
      expect(floor?.sent).toBeGreaterThan(0);
      expect(floor?.accepted).toBe(floor?.sent);
      expect(floor?.delivered).toBe(floor?.sent);
      expect(floor?.endpointCpuUsPerPush).toBeGreaterThan(0);
      expect(floor?.connectionCpuUsPerPush).toBeGreaterThan(0);
      // GetItem + PutItem per push, plus the batched deletes.
      expect(floor?.dynamoDbRequestsPerPush).toBeGreaterThan(2);
    },
  );

  it('writes idle density for Herald and bare uWS, on one process and over SO_REUSEPORT', () => {
    for (const run of [results.idleDensity.singleProcess, results.idleDensity.reusePort]) {
      expect(run?.herald.length).toBeGreaterThan(0);
      expect(run?.bareUws.length).toBeGreaterThan(0);
    }
  });

  it('writes push throughput steps with latency, CPU and DynamoDB figures', () => {
    const step = results.pushThroughput.steps[0];
    expect(step?.latency.count).toBeGreaterThan(0);
    expect(step).toHaveProperty('endpointCpuUsPerPush');
    expect(step).toHaveProperty('connectionCpuUsPerPush');
    expect(step).toHaveProperty('dynamoDbRequestsPerPush');
  });

  it('writes every endpoint CPU variant', () => {
    expect(results.endpointCpu.variants.map((v) => v.name)).toEqual([
      'v2-cache-hit',
      'v2-cache-miss',
      'v2-4kb-cache-hit',
      'v1-cache-hit',
    ]);
  });

  it('writes the reconnect storm', () => {
    expect(results.reconnectStorm.agents).toBeGreaterThan(0);
    expect(results.reconnectStorm).toHaveProperty('allDrainedMs');
  });

  it('profiles the endpoint and a connection node: CPU and where their allocations come from', () => {
    expect(results.profiles.map((profile) => profile.process)).toEqual([
      'endpoint node',
      'connection node',
    ]);
    for (const profile of results.profiles) {
      expect(profile.top.length).toBeGreaterThan(0);
      expect(profile.allocation?.bytesPerPush).toBeGreaterThan(0);
      expect(profile.allocation?.top.length).toBeGreaterThan(0);
    }
  });

  it('judges every target and writes the summary and charts', () => {
    expect(results.targets).toHaveLength(8);
    const names = readdirSync(outDir);
    expect(names.filter((n) => n.endsWith('.md'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith('.svg'))).toHaveLength(2);
  });
});
