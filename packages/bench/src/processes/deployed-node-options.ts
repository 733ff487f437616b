/**
 * The `NODE_OPTIONS` a role runs with when deployed: read from the Helm chart's defaults
 * (`deploy/helm/herald/values.yaml`, `<role>.nodeOptions`), so the suite starts Herald
 * nodes with the same V8 flags production gets and cannot drift from them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const HELM_VALUES = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'deploy',
  'helm',
  'herald',
  'values.yaml',
);

/** `<role>.nodeOptions` of a values file: the first such key in the role's top-level block. */
export function nodeOptionsOf(valuesYaml: string, role: 'connection' | 'endpoint'): string {
  const lines = valuesYaml.split('\n');
  const start = lines.indexOf(`${role}:`);
  if (start < 0) throw new Error(`no top-level ${role}: block in the Helm values`);
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    const match = /^ {2}nodeOptions:\s*(.*)$/.exec(line);
    if (match) return (match[1] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  throw new Error(`no ${role}.nodeOptions in the Helm values`);
}

export function deployedNodeOptions(role: 'connection' | 'endpoint'): string {
  return nodeOptionsOf(readFileSync(HELM_VALUES, 'utf8'), role);
}
