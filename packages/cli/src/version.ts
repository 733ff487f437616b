import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildInfo, VersionInfo } from '@herald/runtime';

/** The CLI package's version; `dist/` and `src/` both sit one level below package.json. */
export function heraldVersion(): string {
  const text = readFileSync(join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * What `/__version__` shows: `dist/version.json`, written by the build
 * (scripts/write-version-json.js), with `HERALD_COMMIT`/`HERALD_BUILD` overriding its
 * commit and build when set. Running from sources (tests), there is no file: the
 * package version and `unknown`.
 */
export function versionInfo(overrides: BuildInfo): VersionInfo {
  const recorded = readVersionFile();
  return {
    version: recorded?.version ?? heraldVersion(),
    commit: overrides.commit ?? recorded?.commit ?? 'unknown',
    build: overrides.build ?? recorded?.build ?? 'unknown',
  };
}

function readVersionFile(): Partial<VersionInfo> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(join(__dirname, 'version.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' && record[key] !== '' ? record[key] : undefined;
  return { version: text('version'), commit: text('commit'), build: text('build') };
}
