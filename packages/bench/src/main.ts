/**
 * `pnpm bench`: runs the benchmark suite (quick profile by default; `--full`, `--smoke`;
 * `--only storm,push` for a focused run of some scenarios, see `SCENARIO_NAMES`) and
 * writes `bench/results/<timestamp>.json`, a Markdown summary and two SVG charts
 * (`--out-dir <dir>` to write elsewhere). Every process it starts is stopped at the end,
 * on failure, and on SIGINT/SIGTERM.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem, type } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchEnvironment } from './bench-environment';
import { PROFILES, type BenchProfile } from './profiles';
import type { BenchResults } from './results';
import { renderCharts } from './report/charts';
import { renderSummary } from './report/markdown-summary';
import { judgeTargets } from './report/targets';
import { SCENARIO_NAMES, runScenarios } from './run-scenarios';
import type { ScenarioName } from './run-scenarios';

interface Flags {
  readonly profile: BenchProfile;
  readonly outDir: string;
  readonly only?: ReadonlySet<ScenarioName>;
}

const USAGE = `usage: bench [--quick | --full | --smoke] [--only ${SCENARIO_NAMES.join('|')}[,…]] [--out-dir <dir>]`;

function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

function parseFlags(argv: string[]): Flags {
  let profile = PROFILES.quick;
  let outDir = resolve(__dirname, '..', '..', '..', 'bench', 'results');
  let only: Set<ScenarioName> | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    // `pnpm bench -- --full` passes the separator through; it means nothing here.
    if (flag === '--') continue;
    if (flag === '--only') {
      for (const name of (argv[++i] ?? '').split(',')) {
        if (!isScenarioName(name)) {
          console.error(`${USAGE} (unknown scenario: ${name})`);
          process.exit(2);
        }
        (only ??= new Set()).add(name);
      }
    } else if (flag === '--full') profile = PROFILES.full;
    else if (flag === '--smoke') profile = PROFILES.smoke;
    else if (flag === '--quick') profile = PROFILES.quick;
    else if (flag === '--out-dir') outDir = resolve(argv[++i] ?? outDir);
    else {
      console.error(`${USAGE} (unknown: ${flag})`);
      process.exit(2);
    }
  }
  return { profile, outDir, ...(only === undefined ? {} : { only }) };
}

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function emptyResults(profile: BenchProfile, startedAt: Date): BenchResults {
  return {
    meta: {
      profile: profile.name,
      startedAt: startedAt.toISOString(),
      commit: gitCommit(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        os: `${type()} ${release()}`,
      },
    },
    baselines: { rate: profile.targetRate },
    idleDensity: {},
    pushThroughput: { agents: profile.idleSteps.at(-1) ?? 0, steps: [] },
    endpointCpu: { rate: profile.targetRate, variants: [] },
    reconnectStorm: {},
    profiles: [],
    targets: [],
    failures: [],
  };
}

async function main(): Promise<number> {
  const { profile, outDir, only } = parseFlags(process.argv.slice(2));
  const startedAt = new Date();
  const stamp = startedAt
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  mkdirSync(join(outDir, 'profiles'), { recursive: true });
  const results = emptyResults(profile, startedAt);
  const files = {
    json: join(outDir, `${stamp}.json`),
    markdown: join(outDir, `${stamp}.md`),
    memoryChart: `${stamp}-memory.svg`,
    latencyChart: `${stamp}-latency.svg`,
  };
  const write = (): void => {
    results.targets = judgeTargets(results, profile.targetRate);
    writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  };
  const log = (line: string): void =>
    console.log(`[${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)}s] ${line}`);

  const env = new BenchEnvironment();
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> => (stopping ??= env.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping every process`);
      void stopAll().finally(() => process.exit(130));
    });
  }
  try {
    log(`profile ${profile.name}: starting nats-server, DynamoDB Local and the counting proxy`);
    await env.start();
    await runScenarios({
      env,
      profile,
      results,
      outDir,
      stamp,
      log,
      checkpoint: write,
      ...(only === undefined ? {} : { only }),
    });
  } catch (error) {
    results.failures.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
    log(`failed: ${String(error)}`);
  } finally {
    await stopAll();
  }
  // What each process printed (Herald logs at warn), for explaining errors; not committed.
  const logDir = join(tmpdir(), `herald-bench-${stamp}`);
  mkdirSync(logDir, { recursive: true });
  for (const handle of env.group.started)
    writeFileSync(join(logDir, `${handle.name}.log`), handle.output());
  log(`process output in ${logDir}`);
  const finishedAt = new Date();
  results.meta.finishedAt = finishedAt.toISOString();
  results.meta.durationSeconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
  write();
  const charts = renderCharts(results);
  writeFileSync(join(outDir, files.memoryChart), charts.memory);
  writeFileSync(join(outDir, files.latencyChart), charts.latency);
  writeFileSync(
    files.markdown,
    renderSummary(results, { memory: files.memoryChart, latency: files.latencyChart }),
  );
  log(`wrote ${files.json} and ${files.markdown}`);
  for (const t of results.targets)
    log(
      `  ${t.met === undefined ? '?' : t.met ? 'met   ' : t.floorBeyondTarget === true ? 'MISSED (floor beyond target)' : 'MISSED'} ${t.figure}: ${t.measured} (target ${t.target}; baseline ${t.baseline}; ${t.ratio})`,
    );
  return results.failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
