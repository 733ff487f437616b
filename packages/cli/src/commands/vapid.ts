import { generateVAPIDKeys } from 'web-push';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { UsageError } from '../cli-errors';
import { printLine } from '../console-output';

const HELP = `Usage: herald vapid generate [--json]

Prints a new VAPID key pair (P-256, base64url) for an application server: the public
key is the applicationServerKey passed to pushManager.subscribe(), the private key signs
each push (RFC 8292).

Options:
  --json    print {"publicKey": "...", "privateKey": "..."}`;

export const vapidCommand: Command = {
  name: 'vapid generate',
  summary: 'prints a VAPID key pair for an application server',
  help: HELP,
  run(args) {
    const { positionals, values, help } = parseCommandArgs(
      'vapid',
      args,
      { json: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    if (help) {
      printLine(HELP);
      return Promise.resolve(0);
    }
    if (positionals[0] !== 'generate') {
      throw new UsageError(
        `unknown vapid action ${JSON.stringify(positionals[0])} (expected "generate")`,
        'vapid',
      );
    }
    const pair = generateVAPIDKeys();
    if (values.json === true) {
      printLine(JSON.stringify({ publicKey: pair.publicKey, privateKey: pair.privateKey }));
    } else {
      printLine(`publicKey:  ${pair.publicKey}`);
      printLine(`privateKey: ${pair.privateKey}`);
    }
    return Promise.resolve(0);
  },
};
