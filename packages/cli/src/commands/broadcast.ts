import { loadConfig, type BroadcastClientConfig } from '@herald/runtime';
import type { Broadcasts } from '@herald/core';
import { listBroadcasts, setBroadcast, type AdminApiTarget } from '../admin-api-client';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { UsageError } from '../cli-errors';
import { printLine } from '../console-output';
import { environmentHelp } from '../environment-help';

const HELP = `Usage: herald broadcast set <id> <version> [--url ORIGIN] [--json]
       herald broadcast list [--url ORIGIN] [--json]

Sets or lists broadcast (megaphone) versions through an endpoint node's admin API
(PUT/GET ORIGIN/v1/broadcasts, authenticated with HERALD_ADMIN_TOKEN, which must equal
the endpoint's). A new version is stored in DynamoDB and announced to every connection
node, which sends a "broadcast" frame to the user agents subscribed to that id.
Prints one "<id> <version>" line per broadcast afterwards; exits 1 if the endpoint
refuses.

Options:
  --url ORIGIN   the endpoint's origin [HERALD_PUBLIC_URL, or http://localhost:<HERALD_HTTP_PORT>]
  --json         print {"broadcasts": {...}} instead

${environmentHelp('broadcast')}`;

export const broadcastCommand: Command = {
  name: 'broadcast',
  summary: 'sets or lists broadcast versions through the endpoint admin API',
  help: HELP,
  async run(args) {
    const { values, positionals, help } = parseCommandArgs(
      'broadcast',
      args,
      { url: { type: 'string' }, json: { type: 'boolean' } },
      { min: 1, max: 3 },
    );
    if (help) {
      printLine(HELP);
      return 0;
    }
    const [action, id, version] = positionals;
    if (action !== 'set' && action !== 'list') {
      throw new UsageError(
        `unknown broadcast action ${JSON.stringify(action)} (expected "set" or "list")`,
        'broadcast',
      );
    }
    if (action === 'set' && (id === undefined || version === undefined)) {
      throw new UsageError('set needs a broadcast id and a version', 'broadcast');
    }
    if (action === 'list' && id !== undefined) {
      throw new UsageError(`unexpected argument ${JSON.stringify(id)}`, 'broadcast');
    }
    const config = loadConfig('broadcast');
    const target = targetOf(config, values.url);
    const broadcasts =
      action === 'set'
        ? await setBroadcast(target, id ?? '', version ?? '')
        : await listBroadcasts(target);
    print(broadcasts, values.json === true);
    return 0;
  },
};

function targetOf(config: BroadcastClientConfig, url: string | undefined): AdminApiTarget {
  let origin = config.publicOrigin;
  if (url !== undefined) {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error();
      origin = parsed.origin;
    } catch {
      throw new UsageError(
        '--url must be an http(s) origin such as https://push.example.com',
        'broadcast',
      );
    }
  }
  return { origin, token: config.adminToken, timeoutMs: config.dependencyTimeoutMs };
}

function print(broadcasts: Broadcasts, json: boolean): void {
  if (json) {
    printLine(JSON.stringify({ broadcasts }));
    return;
  }
  for (const id of Object.keys(broadcasts).sort()) printLine(`${id} ${broadcasts[id]}`);
}
