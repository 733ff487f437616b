import { parseArgs } from 'node:util';
import { UsageError } from './cli-errors';

/** One `herald` subcommand. */
export interface Command {
  /** As typed: `dev`, `tables create`. */
  readonly name: string;
  /** One line for `herald --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /**
   * Runs the command with the arguments after its name. Resolves with the exit status
   * for commands that finish; long-running ones resolve once serving and leave exiting
   * to their shutdown handler (they resolve `undefined`).
   */
  run(args: readonly string[]): Promise<number | undefined>;
}

/** The flags a command accepts: every one is a string or a boolean, used at most once. */
type Flags = Record<string, { type: 'string' | 'boolean'; short?: string }>;

/** The parsed flag values: absent when not given. */
export type FlagValues<F extends Flags> = {
  [K in keyof F]?: F[K]['type'] extends 'boolean' ? boolean : string;
};

export interface ParsedArgs<F extends Flags> {
  readonly values: FlagValues<F>;
  readonly positionals: readonly string[];
  /** `--help` or `-h` was given: print the help, ignore the rest. */
  readonly help: boolean;
}

/**
 * `node:util` parseArgs in strict mode, with `--help`/`-h` added and its errors turned
 * into {@link UsageError}s naming the command.
 */
export function parseCommandArgs<F extends Flags>(
  command: string,
  args: readonly string[],
  options: F,
  positionals: { min: number; max: number } = { min: 0, max: 0 },
): ParsedArgs<F> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), command);
  }
  const help = (parsed.values as { help?: boolean }).help === true;
  if (!help && parsed.positionals.length < positionals.min) {
    throw new UsageError('missing argument', command);
  }
  if (!help && parsed.positionals.length > positionals.max) {
    throw new UsageError(
      `unexpected argument ${JSON.stringify(parsed.positionals[positionals.max])}`,
      command,
    );
  }
  return { values: parsed.values, positionals: parsed.positionals, help };
}

/** Parses a flag as a whole number in [min, max], or throws a {@link UsageError}. */
export function integerFlag(
  command: string,
  flag: string,
  text: string,
  min: number,
  max: number,
): number {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`, command);
  }
  return Number(text);
}
