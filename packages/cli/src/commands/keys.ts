import { CryptoKeys } from '@herald/core';
import type { Command } from '../command';
import { parseCommandArgs } from '../command';
import { UsageError } from '../cli-errors';
import { printLine, printNote } from '../console-output';

const HELP = `Usage: herald keys generate

Prints a fresh endpoint-token key (32 random bytes, base64url) alone on the last line of
stdout. Use it in HERALD_CRYPTO_KEYS, identical on every node. To rotate, prepend the new
key ("new,old"): the first key seals new endpoints, every key opens existing ones.
Keep it secret: whoever holds it can forge endpoints.`;

export const keysCommand: Command = {
  name: 'keys generate',
  summary: 'prints a fresh endpoint-token key for HERALD_CRYPTO_KEYS',
  help: HELP,
  run(args) {
    const { positionals, help } = parseCommandArgs('keys', args, {}, { min: 1, max: 1 });
    if (help) {
      printLine(HELP);
      return Promise.resolve(0);
    }
    if (positionals[0] !== 'generate') {
      throw new UsageError(
        `unknown keys action ${JSON.stringify(positionals[0])} (expected "generate")`,
        'keys',
      );
    }
    printNote('A new endpoint-token key for HERALD_CRYPTO_KEYS (keep it secret):');
    printLine(CryptoKeys.generateKey());
    return Promise.resolve(0);
  },
};
