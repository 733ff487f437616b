import { spawn } from 'node:child_process';
import { heraldBinary } from './herald-process';

/** A `herald` command that ran to its end. */
export interface HeraldRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
}

/**
 * Runs `herald …args` with exactly `env` (plus PATH and HOME) until it exits, killing it
 * after `timeoutMs` so a node that wrongly starts (or hangs) fails the test instead of
 * holding it.
 */
export async function runHerald(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  timeoutMs = 30_000,
): Promise<HeraldRun> {
  const startedMs = Date.now();
  const child = spawn(process.execPath, [heraldBinary(), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    return { code, stdout, stderr, elapsedMs: Date.now() - startedMs };
  } finally {
    clearTimeout(killer);
  }
}

/**
 * The non-empty lines of one stream of a run (`run.stdout` or `run.stderr`), in order:
 * for asserting on a given line (`Usage: …` first, a generated key alone on the last).
 */
export function printedLines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

/** `herald tables create` with `env`; throws with its output unless it exits 0. */
export async function createHeraldTables(env: Readonly<Record<string, string>>): Promise<void> {
  const run = await runHerald(['tables', 'create'], env);
  if (run.code !== 0) {
    throw new Error(`herald tables create exited ${String(run.code)}:\n${run.stdout}${run.stderr}`);
  }
}
