import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildInfo, VersionInfo } from '@herald/runtime';

/** The CLI package's version; `dist/` and `src/` both sit one level below package.json. */
export function heraldVersion(): string {
  const text = readFileSync(join(__dirname, '..', 'package.json'), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** What `/__version__` shows. */
export function versionInfo(build: BuildInfo): VersionInfo {
  return { version: heraldVersion(), commit: build.commit, build: build.build };
}
