/**
 * One Herald node as operators run it (`herald connection|endpoint`, the built CLI, with
 * the `NODE_OPTIONS` the Helm chart gives that role), but started as
 * `node --expose-gc --require probe-preload.js` so the suite can read its CPU time and
 * memory (after a forced GC) and take CPU profiles over IPC.
 */
import { join } from 'node:path';
import { heraldBinary } from '@herald/testkit';
import { deployedNodeOptions } from './deployed-node-options';
import { IpcChannel } from './ipc-channel';
import type { ChildHandle, ProcessGroup } from './process-group';

/** A snapshot of a process's own accounting. */
export interface ProcessProbe {
  /** µs of user and system CPU since the process started. */
  readonly cpu: { user: number; system: number };
  readonly memory: NodeJS.MemoryUsage;
}

const READY_TIMEOUT_MS = 30_000;

export class ProbedProcess {
  readonly ipc: IpcChannel;

  constructor(readonly handle: ChildHandle) {
    this.ipc = new IpcChannel(handle.name, handle.child);
  }

  probe(gc = false): Promise<ProcessProbe> {
    return this.ipc.request<ProcessProbe>('probe', { gc });
  }

  async profileStart(): Promise<void> {
    await this.ipc.request('profile-start');
  }

  async profileStop(path: string): Promise<void> {
    await this.ipc.request('profile-stop', { path });
  }
}

/**
 * Starts `herald <role>` with exactly `env` (plus PATH, HOME and the role's deployed
 * NODE_OPTIONS); resolves once it says `ready`.
 */
export async function startHeraldNode(
  group: ProcessGroup,
  name: string,
  role: 'connection' | 'endpoint',
  env: Record<string, string>,
): Promise<ProbedProcess> {
  const preload = join(__dirname, 'probe-preload.js');
  const handle = group.spawn(
    name,
    process.execPath,
    ['--expose-gc', '--require', preload, heraldBinary(), role],
    {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_OPTIONS: deployedNodeOptions(role),
      ...env,
    },
  );
  const node = new ProbedProcess(handle);
  await handle.waitForLine(/\bready\b/, READY_TIMEOUT_MS);
  return node;
}
