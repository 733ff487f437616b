import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A fresh Prometheus registry holding the process metrics (CPU, memory, event loop lag,
 * open handles), named with `prefix`. Each node declares its own metrics on it; nothing
 * uses prom-client's global registry, so two nodes in one process (`herald dev`, tests)
 * never collide.
 */
export function createRegistry(prefix = 'herald_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}

export type { Registry };
