/** The `herald` command, for embedding and tests; the executable is `bin.ts`. */
export { main, COMMANDS } from './main';
export type { Command } from './command';
export { UsageError, DependencyError } from './cli-errors';
