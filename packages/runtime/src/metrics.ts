import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * How often the event-loop delay histogram samples, in ms. prom-client's default (10 ms)
 * wakes an idle process 100 times a second; on this project's 2-core VMs each wake costs
 * ~75 µs of CPU, so the monitor alone was ~7.5 ms of CPU per second per process — more
 * than an idle connection node holding 10,000 sockets spends on them. At 100 ms it costs
 * ~1 ms/s (measured: 10 → 7.6, 50 → 1.8, 100 → 1.0, 250 → 0.45 ms/s). The recorded delays
 * are the intervals between samples, so every `nodejs_eventloop_lag_*` percentile reads
 * this interval plus the lag: 0.1 s means no lag.
 */
export const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * A fresh Prometheus registry holding the process metrics (CPU, memory, event loop lag,
 * open handles), named with `prefix`. Each node declares its own metrics on it; nothing
 * uses prom-client's global registry, so two nodes in one process (`herald dev`, tests)
 * never collide.
 */
export function createRegistry(prefix = 'herald_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    prefix,
    eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
  });
  return registry;
}

export type { Registry };
