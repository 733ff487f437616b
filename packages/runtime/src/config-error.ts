import { HeraldError } from '@herald/core';

/**
 * The environment does not describe a runnable node. The message lists every problem,
 * one per line, each naming the variable and what it expects, so an operator fixes them
 * all in one go. The CLI prints it as is and exits with status 2.
 */
export class ConfigError extends HeraldError {
  override readonly name = 'ConfigError';
  readonly problems: readonly string[];

  constructor(heading: string, problems: readonly string[]) {
    super([heading, ...problems.map((p) => `  - ${p}`)].join('\n'));
    this.problems = problems;
  }
}
