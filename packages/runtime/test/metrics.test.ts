import { EVENT_LOOP_SAMPLE_MS, createRegistry } from '../src';

/** A gauge's value as a scrape shows it (the lag gauges are filled in by the scrape). */
async function scraped(name: string, registry: ReturnType<typeof createRegistry>): Promise<number> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not exposed`);
  return Number(line.slice(name.length + 1));
}

describe('the process metrics', () => {
  it('sample the event loop every EVENT_LOOP_SAMPLE_MS, not prom-client’s 10 ms', async () => {
    const registry = createRegistry();
    await new Promise((resolve) => setTimeout(resolve, 5 * EVENT_LOOP_SAMPLE_MS));
    // The histogram records the interval between samples, so its minimum is the interval.
    const minSeconds = await scraped('herald_nodejs_eventloop_lag_min_seconds', registry);
    expect(minSeconds).toBeGreaterThanOrEqual((0.9 * EVENT_LOOP_SAMPLE_MS) / 1000);
  });

  it('are named with the herald_ prefix', async () => {
    const text = await createRegistry().metrics();
    expect(text).toMatch(/^herald_process_cpu_seconds_total /m);
    expect(text).not.toMatch(/^nodejs_/m);
  });
});
