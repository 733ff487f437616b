/**
 * Reads a V8 `.cpuprofile` and says where the time went: self time by package (a
 * Herald package, an npm dependency, Node's internals, GC, native code) and the hottest
 * functions. Idle samples are left out, so percentages are of busy time.
 */
import { readFileSync } from 'node:fs';
import type { ProfileHotspot } from '../results';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
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

export function summariseProfile(
  path: string,
  topN = 12,
): { byPackage: { name: string; selfPercent: number }[]; top: ProfileHotspot[] } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const hits = new Map<number, number>();
  if (profile.samples !== undefined)
    for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  else for (const node of profile.nodes) hits.set(node.id, node.hitCount ?? 0);
  let busy = 0;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, { hits: number; fn: string; location: string }>();
  for (const node of profile.nodes) {
    const n = hits.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (n === 0 || functionName === '(idle)') continue;
    busy += n;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n);
    const key = `${functionName}@${url}:${lineNumber}`;
    const entry = byFunction.get(key) ?? {
      hits: 0,
      fn: functionName || '(anonymous)',
      location: shortLocation(url, lineNumber),
    };
    entry.hits += n;
    byFunction.set(key, entry);
  }
  const percent = (n: number): number => Math.round((1000 * n) / Math.max(1, busy)) / 10;
  return {
    byPackage: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, n]) => ({ name, selfPercent: percent(n) })),
    top: [...byFunction.values()]
      .sort((a, b) => b.hits - a.hits)
      .slice(0, topN)
      .map((e) => ({ function: e.fn, location: e.location, selfPercent: percent(e.hits) })),
  };
}
