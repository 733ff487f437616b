import { settingDocs } from '@herald/runtime';

/**
 * docs/configuration.md, rendered from the runtime's settings catalogue (the zod schema's
 * descriptions plus each variable's roles and default). `pnpm -F @herald/cli docs`
 * writes it; a test fails when the committed file differs.
 */
export function renderConfigurationDoc(): string {
  const rows = settingDocs().map(
    (doc) =>
      `| \`${doc.name}\` | ${doc.roles.join(', ')} | ${cell(doc.defaultText)} | ${cell(doc.description)} |`,
  );
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/runtime/src/settings.ts and setting-docs.ts by',
    '     `pnpm -F @herald/cli docs`. Do not edit by hand: a test compares this file. -->',
    '',
    'Every setting is an environment variable, read once at start-up by',
    '`packages/runtime` (the only code that reads the environment). A process checks',
    'every variable it reads before doing anything and, when some are wrong, exits with',
    'status 2 and one line per problem naming the variable, what it expects and what it',
    'is for. Empty values count as unset (Compose files and Helm charts often render',
    'unset settings as `""`). Secret values (`HERALD_CRYPTO_KEYS`, `HERALD_ADMIN_TOKEN`)',
    'are never echoed in those messages or in logs.',
    '',
    'The **commands** column says which `herald` commands read a variable:',
    '`dev` (all in one process), `connection`, `endpoint`, `tables` (`herald tables',
    'create`) and `broadcast` (`herald broadcast set|list`). `herald <command> --help`',
    'prints the same list for one command.',
    '',
    '| variable | commands | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '## Rules between variables',
    '',
    '- `connection` and `endpoint` refuse to start without `HERALD_CRYPTO_KEYS` and',
    '  `HERALD_NATS_URL`; `herald broadcast` without `HERALD_ADMIN_TOKEN`.',
    '- `HERALD_TLS_CERT_FILE` and `HERALD_TLS_KEY_FILE` go together, and both files must',
    '  be readable by the process when it starts.',
    '- `HERALD_SHUTDOWN_TIMEOUT_MS` must exceed `HERALD_DRAIN_WINDOW_MS` when both are',
    '  set. Set only the drain window and the deadline is the window plus 10 s; set only',
    '  the deadline and the window is 30 s or half the deadline, whichever is shorter.',
    '  Orchestrators must wait longer than the deadline before killing the process',
    '  (Kubernetes: `terminationGracePeriodSeconds`).',
    '- `HERALD_CRYPTO_KEYS` must be the same list on every node, and so must',
    '  `HERALD_PUBLIC_URL`. To rotate, prepend a new key and keep the old ones',
    '  ([operations.md](operations.md#rotating-the-endpoint-token-keys)).',
    '',
  ].join('\n');
}

/**
 * Markdown-safe table cell: no raw `|`, and outside code spans no `_` (`/__version__`
 * would turn bold) and no `<` (`<HERALD_HTTP_PORT>` would be read as an HTML tag).
 */
function cell(text: string): string {
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/([_<*])/g, '\\$1')))
    .join('`')
    .replace(/\|/g, '\\|');
}
