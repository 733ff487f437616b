import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts, HeraldProcess } from '@herald/testkit';

/** `herald dev` on free loopback ports with a temporary data dir. */
export interface HeraldDev {
  readonly process: HeraldProcess;
  /** `ws://127.0.0.1:<port>/`: Herald accepts the WebSocket on `/` only. */
  readonly wsUrl: string;
  /** `HERALD_PUBLIC_URL`: the origin of every push endpoint, and the VAPID audience. */
  readonly publicOrigin: string;
  /** Stops the process and removes its data dir. */
  stop(): Promise<void>;
}

/** Starts `herald dev` (both nodes, in-process bus, embedded dynalite) and waits until it is ready. */
export async function startHeraldDev(o: { logLevel?: string } = {}): Promise<HeraldDev> {
  const [wsPort, httpPort, opsPort] = await freePorts(3);
  const dataDir = await mkdtemp(join(tmpdir(), 'herald-ff-data-'));
  const publicOrigin = `http://127.0.0.1:${String(httpPort)}`;
  const herald = new HeraldProcess('dev', ['dev'], {
    HERALD_WS_PORT: String(wsPort),
    HERALD_HTTP_PORT: String(httpPort),
    HERALD_OPS_PORT: String(opsPort),
    HERALD_HOST: '127.0.0.1',
    HERALD_PUBLIC_URL: publicOrigin,
    HERALD_DATA_DIR: dataDir,
    HERALD_LOG_LEVEL: o.logLevel ?? 'info',
  });
  try {
    await herald.start();
  } catch (error) {
    await herald.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    process: herald,
    wsUrl: `ws://127.0.0.1:${String(wsPort)}/`,
    publicOrigin,
    async stop() {
      await herald.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
