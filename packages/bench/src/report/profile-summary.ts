/**
 * Reads a V8 `.cpuprofile` and says where the time went: self time by package (a
 * Herald package, an npm dependency, Node's internals, GC, native code) and the hottest
 * functions. Idle samples are left out, so percentages are of busy time. Reads the
 * `.heapprofile` of the same window the same way: bytes allocated by package and function.
 */
import { readFileSync } from 'node:fs';
import type { AllocationSummary, ProfileHotspot } from '../results';

interface CpuProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples?: number[];
}

function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const herald = /packages\/([a-z0-9-]+)\//.exec(url);
  if (herald && !url.includes('node_modules')) return `@herald/${herald[1]}`;
  const modules = url.split('node_modules/');
  if (modules.length > 1) {
    const rest = (modules[modules.length - 1] ?? '').split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node (internals)';
  return url;
}

function shortLocation(url: string, line: number): string {
  const trimmed = url.replace(/^file:\/\//, '').replace(/^.*?\/(packages|node_modules)\//, '$1/');
  return url === '' ? '' : `${trimmed}:${line + 1}`;
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

/** Adds up a measure (samples, bytes) per package and per function. */
class Tally {
  total = 0;
  private readonly byPackage = new Map<string, number>();
  private readonly byFunction = new Map<string, { amount: number; fn: string; location: string }>();

  add({ functionName, url, lineNumber }: CallFrame, amount: number): void {
    this.total += amount;
    const pkg = packageOf(url, functionName);
    this.byPackage.set(pkg, (this.byPackage.get(pkg) ?? 0) + amount);
    const key = `${functionName}@${url}:${lineNumber}`;
    const entry = this.byFunction.get(key) ?? {
      amount: 0,
      fn: functionName || '(anonymous)',
      location: shortLocation(url, lineNumber),
    };
    entry.amount += amount;
    this.byFunction.set(key, entry);
  }

  summary(topN: number): {
    byPackage: { name: string; selfPercent: number }[];
    top: ProfileHotspot[];
  } {
    const percent = (n: number): number => Math.round((1000 * n) / Math.max(1, this.total)) / 10;
    return {
      byPackage: [...this.byPackage.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([name, n]) => ({ name, selfPercent: percent(n) })),
      top: [...this.byFunction.values()]
        .sort((a, b) => b.amount - a.amount)
        .slice(0, topN)
        .map((e) => ({ function: e.fn, location: e.location, selfPercent: percent(e.amount) })),
    };
  }
}

interface HeapProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children?: HeapProfileNode[];
}

/**
 * Bytes allocated in the window by where they were allocated, from a sampling heap
 * profile that kept the objects GC had already freed (so it counts garbage, the thing
 * that drives scavenges, not what was still alive at the end).
 */
export function summariseAllocations(path: string, pushes: number, topN = 8): AllocationSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { head: HeapProfileNode };
  const tally = new Tally();
  const pending = [profile.head];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (node.selfSize > 0) tally.add(node.callFrame, node.selfSize);
    pending.push(...(node.children ?? []));
  }
  return {
    file: path,
    bytesPerPush: Math.round(tally.total / Math.max(1, pushes)),
    ...tally.summary(topN),
  };
}

export function summariseProfile(
  path: string,
  topN = 12,
): { byPackage: { name: string; selfPercent: number }[]; top: ProfileHotspot[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  if (profile.samples !== undefined)
    for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  const tally = new Tally();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    if (n > 0 && node.callFrame.functionName !== '(idle)') tally.add(node.callFrame, n);
  }
  return tally.summary(topN);
}
