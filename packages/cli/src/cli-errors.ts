import { HeraldError } from '@herald/core';

/** The command line itself is wrong (unknown flag, missing argument). Exit status 2. */
export class UsageError extends HeraldError {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose `--help` to point at, e.g. `send`. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/**
 * A node's dependencies (DynamoDB, NATS) did not answer at start-up. The message lists
 * every one that failed, so an operator sees the whole picture at once. Exit status 1.
 */
export class DependencyError extends HeraldError {
  override readonly name = 'DependencyError';
  constructor(
    heading: string,
    readonly problems: readonly string[],
  ) {
    super([heading, ...problems.map((p) => `  - ${p}`)].join('\n'));
  }
}
