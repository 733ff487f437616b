/**
 * Parent-side operations over several user-agent fleets: spreading connections across
 * them, gathering their subscriptions and receipts.
 */
import type { Fleet } from '../bench-environment';
import type { Subscription } from './web-push-request';

export interface ConnectOutcome {
  readonly connected: number;
  readonly failed: number;
  readonly elapsedMs: number;
  readonly firstError?: string;
}

/** Connects `total` more agents into `group`, split evenly over the fleets, all in parallel. */
export async function connectSpread(
  fleets: Fleet[],
  group: string,
  url: string,
  total: number,
  withKey: string | undefined,
): Promise<ConnectOutcome> {
  const startedMs = performance.now();
  const shares = fleets.map(
    (_, i) => Math.floor(total / fleets.length) + (i < total % fleets.length ? 1 : 0),
  );
  const outcomes = await Promise.all(
    fleets.map((fleet, i) =>
      fleet.ipc.request<ConnectOutcome>(
        'connect',
        { group, url, count: shares[i], withKey },
        600_000,
      ),
    ),
  );
  return {
    connected: outcomes.reduce((s, o) => s + o.connected, 0),
    failed: outcomes.reduce((s, o) => s + o.failed, 0),
    elapsedMs: performance.now() - startedMs,
    firstError: outcomes.find((o) => o.firstError !== undefined)?.firstError,
  };
}

export async function closeGroup(fleets: Fleet[], group: string): Promise<void> {
  await Promise.all(fleets.map((fleet) => fleet.ipc.request('close-group', { group })));
}

export async function subscriptionsOf(
  fleets: Fleet[],
  group: string,
  kind: 'v1' | 'v2',
  countPerFleet?: number,
): Promise<Subscription[]> {
  const lists = await Promise.all(
    fleets.map((fleet) =>
      fleet.ipc.request<Subscription[]>('subscriptions', { group, kind, count: countPerFleet }),
    ),
  );
  // Interleave so consecutive pushes go to different fleets.
  const out: Subscription[] = [];
  const longest = Math.max(...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++)
    for (const list of lists) if (list[i] !== undefined) out.push(list[i] as Subscription);
  return out;
}

export interface FleetReceipts {
  /** push id → receipt time (ns, process.hrtime clock) */
  readonly byId: Map<string, number>;
  verified: number;
  verifyFailures: number;
  unexpectedCloses: number;
}

/**
 * Takes receipts until every id in `expected` arrived (or, given a number, that many
 * receipts), or nothing new came for `quietMs`.
 */
export async function collectReceipts(
  fleets: Fleet[],
  expected: ReadonlySet<string> | number,
  quietMs: number,
): Promise<FleetReceipts> {
  const wanted = typeof expected === 'number' ? expected : expected.size;
  const byId = new Map<string, number>();
  const result: FleetReceipts = { byId, verified: 0, verifyFailures: 0, unexpectedCloses: 0 };
  let lastProgressMs = performance.now();
  let matched = 0;
  for (;;) {
    const batches = await Promise.all(
      fleets.map((fleet) =>
        fleet.ipc.request<{
          receipts: [string, number][];
          verified: number;
          verifyFailures: number;
          unexpectedCloses: number;
        }>('take-receipts'),
      ),
    );
    result.verified = 0;
    result.verifyFailures = 0;
    result.unexpectedCloses = 0;
    for (const batch of batches) {
      for (const [id, ns] of batch.receipts) {
        if (!byId.has(id)) {
          byId.set(id, ns);
          if (typeof expected === 'number' || expected.has(id)) matched += 1;
          lastProgressMs = performance.now();
        }
      }
      result.verified += batch.verified;
      result.verifyFailures += batch.verifyFailures;
      result.unexpectedCloses += batch.unexpectedCloses;
    }
    if (matched >= wanted || performance.now() - lastProgressMs > quietMs) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
