import { createLogger, onShutdownSignal } from '@herald/runtime';
import { startEmbeddedDynalite } from '@herald/storage-dynamodb';
import type { Command } from '../command';
import { integerFlag, parseCommandArgs } from '../command';
import { printLine } from '../console-output';

const HELP = `Usage: herald local-dynamodb [--port P] [--path DIR] [--host H]

Runs a standalone DynamoDB-compatible server (dynalite) for local multi-process set-ups:
point HERALD_DYNAMODB_ENDPOINT of every node at it, then run \`herald tables create\`.
Prints its endpoint and a line containing "ready"; runs until SIGTERM or Ctrl-C.

Options:
  --port P     port to listen on [8000]; 0 picks a free one
  --path DIR   keep the data in this LevelDB directory [in memory]
  --host H     address to bind [127.0.0.1]`;

export const localDynamoDbCommand: Command = {
  name: 'local-dynamodb',
  summary: 'a standalone DynamoDB-compatible server for local multi-process set-ups',
  help: HELP,
  async run(args) {
    const { values, help } = parseCommandArgs('local-dynamodb', args, {
      port: { type: 'string' },
      path: { type: 'string' },
      host: { type: 'string' },
    });
    if (help) {
      printLine(HELP);
      return 0;
    }
    const port = integerFlag('local-dynamodb', 'port', values.port ?? '8000', 0, 65535);
    const log = createLogger({ level: 'info', name: 'herald-local-dynamodb' });
    const server = await startEmbeddedDynalite({
      port,
      host: values.host ?? '127.0.0.1',
      ...(values.path !== undefined ? { path: values.path } : {}),
    });
    onShutdownSignal(() => server.close(), { deadlineMs: 10_000, log });
    printLine(
      `DynamoDB endpoint: ${server.endpoint}${values.path !== undefined ? ` (data in ${values.path})` : ' (in memory)'}`,
    );
    printLine('local DynamoDB is ready');
    return undefined;
  },
};
