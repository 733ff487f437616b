// Writes docs/configuration.md and docs/metrics.md from the built CLI (`pnpm build`
// first; `pnpm -F @herald/cli docs` does both), formatted with the repository's
// Prettier settings so `pnpm format:check` accepts them as written.
// With --check it writes nothing and exits 1 naming each file that differs from what it
// would write (test/reference-docs.test.ts runs that).
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const prettier = require('prettier');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const docsDir = join(__dirname, '..', '..', '..', 'docs');
const { renderConfigurationDoc } = require('../dist/reference-docs/configuration-doc');
const { renderMetricsDoc } = require('../dist/reference-docs/metrics-doc');

const check = process.argv.includes('--check');

/** Writes (or, with --check, compares) one page; resolves false when it is stale. */
async function write(name, text) {
  const path = join(docsDir, name);
  const options = (await prettier.resolveConfig(path)) ?? {};
  const formatted = await prettier.format(text, { ...options, filepath: path });
  if (!check) {
    writeFileSync(path, formatted);
    process.stdout.write(`wrote ${path}\n`);
    return true;
  }
  let committed = '';
  try {
    committed = readFileSync(path, 'utf8');
  } catch {
    // A missing page is stale.
  }
  if (committed === formatted) return true;
  process.stderr.write(`docs/${name} is out of date: run \`pnpm -F @herald/cli docs\`\n`);
  return false;
}

(async () => {
  const fresh = [
    await write('configuration.md', renderConfigurationDoc()),
    await write('metrics.md', renderMetricsDoc()),
  ];
  if (fresh.includes(false)) process.exitCode = 1;
})().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
