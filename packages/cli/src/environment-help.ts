import { settingsOf, type Role } from '@herald/runtime';

/**
 * The "Environment" section of a command's `--help`: every variable `role` reads, its
 * description and its default, from the runtime's catalogue (the same one
 * docs/configuration.md is generated from).
 */
export function environmentHelp(role: Role): string {
  const rows = settingsOf(role);
  const width = Math.max(...rows.map((row) => row.name.length));
  return [
    'Environment:',
    ...rows.map((row) => `  ${row.name.padEnd(width)}  ${row.description} [${row.defaultText}]`),
  ].join('\n');
}
