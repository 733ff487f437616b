import { ConfigError } from '@herald/runtime';
import type { Command } from './command';
import { DependencyError, UsageError } from './cli-errors';
import { broadcastCommand } from './commands/broadcast';
import { connectionCommand } from './commands/connection';
import { devCommand } from './commands/dev';
import { endpointCommand } from './commands/endpoint';
import { keysCommand } from './commands/keys';
import { localDynamoDbCommand } from './commands/local-dynamodb';
import { sendCommand } from './commands/send';
import { tablesCommand } from './commands/tables';
import { vapidCommand } from './commands/vapid';
import { printLine, printNote } from './console-output';
import { heraldVersion } from './version';

/** Subcommands by their first word. */
export const COMMANDS: ReadonlyMap<string, Command> = new Map([
  ['dev', devCommand],
  ['connection', connectionCommand],
  ['endpoint', endpointCommand],
  ['tables', tablesCommand],
  ['local-dynamodb', localDynamoDbCommand],
  ['keys', keysCommand],
  ['vapid', vapidCommand],
  ['send', sendCommand],
  ['broadcast', broadcastCommand],
]);

function overview(): string {
  const width = Math.max(...[...COMMANDS.values()].map((c) => c.name.length));
  return [
    'Usage: herald <command> [options]',
    '',
    'Herald is a self-hostable WebPush push service. Every setting is an environment',
    'variable; `herald <command> --help` lists the ones a command reads.',
    '',
    'Commands:',
    ...[...COMMANDS.values()].map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also after a command)',
    '  -v, --version  print the version',
  ].join('\n');
}

/**
 * Runs `herald` with `argv` (without node and the script). Resolves with the exit status
 * of a command that finished, or `undefined` for a server that keeps running (its
 * shutdown handler exits). Errors are translated here, once:
 * - {@link ConfigError} and {@link UsageError}: the message, status 2;
 * - {@link DependencyError}: the message, status 1;
 * - anything else: one line, status 1. Never a stack trace for what a user can fix.
 */
export async function main(argv: readonly string[]): Promise<number | undefined> {
  const [name, ...args] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' ? args[0] : undefined;
      const command = topic !== undefined ? COMMANDS.get(topic) : undefined;
      if (topic !== undefined && command === undefined)
        throw new UsageError(`unknown command ${JSON.stringify(topic)}`);
      printLine(command?.help ?? overview());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      printLine(heraldVersion());
      return 0;
    }
    const command = COMMANDS.get(name);
    if (command === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    return await command.run(args);
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof ConfigError || error instanceof DependencyError) {
    printNote(error.message);
    return error instanceof ConfigError ? 2 : 1;
  }
  if (error instanceof UsageError) {
    const help = error.command !== undefined ? `herald ${error.command} --help` : 'herald --help';
    printNote(`herald${error.command !== undefined ? ` ${error.command}` : ''}: ${error.message}`);
    printNote(`Run \`${help}\` for usage.`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  printNote(`herald: ${message.split('\n').join(' ')}`);
  return 1;
}
