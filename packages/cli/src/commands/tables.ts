import { createLogger, loadConfig } from '@herald/runtime';
import { createTables } from '@herald/storage-dynamodb';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { UsageError } from '../cli-errors';
import { printLine } from '../console-output';
import { environmentHelp } from '../environment-help';
import { definedDynamoDb } from '../node-dependencies';

const HELP = `Usage: herald tables create

Creates the router and message tables (on-demand billing, TTL on the "expiry"
attribute) in DynamoDB, or in the server at HERALD_DYNAMODB_ENDPOINT. Idempotent: tables
that exist are left alone. Waits until they are ACTIVE, then prints one line per table:
"created <name>" or "existing <name>".

${environmentHelp('tables')}`;

export const tablesCommand: Command = {
  name: 'tables create',
  summary: 'creates the DynamoDB tables (idempotent)',
  help: HELP,
  async run(args) {
    const { positionals, help } = parseCommandArgs('tables', args, {}, { min: 1, max: 1 });
    if (help) {
      printLine(HELP);
      return 0;
    }
    if (positionals[0] !== 'create') {
      throw new UsageError(
        `unknown tables action ${JSON.stringify(positionals[0])} (expected "create")`,
        'tables',
      );
    }
    const config = loadConfig('tables');
    const log = createLogger({ level: config.logLevel, name: 'herald-tables' });
    const result = await createTables({
      ...definedDynamoDb(config),
      requestTimeoutMs: config.dependencyTimeoutMs,
      log,
    });
    for (const name of result.created) printLine(`created ${name}`);
    for (const name of result.existing) printLine(`existing ${name}`);
    return 0;
  },
};
