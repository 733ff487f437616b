// Writes dist/version.json, what `/__version__` serves: the package version, the source
// commit and the build time. Runs after tsc in `pnpm build`.
//
// The commit comes from `git rev-parse HEAD` when this is a git checkout, else from
// HERALD_COMMIT (a Docker build passes it as a build argument), else "unknown".
// HERALD_COMMIT/HERALD_BUILD set at run time override the file, which matters because
// turbo restores dist/ from its cache when the package's own inputs did not change, and
// the cached file then names the commit that first built them.
'use strict';
const { execFileSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const packageDir = join(__dirname, '..');
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

const commit = gitCommit() || process.env.HERALD_COMMIT || 'unknown';
const build = new Date().toISOString();
mkdirSync(join(packageDir, 'dist'), { recursive: true });
writeFileSync(
  join(packageDir, 'dist', 'version.json'),
  `${JSON.stringify({ version, commit, build }, null, 2)}\n`,
);
