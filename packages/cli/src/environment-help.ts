import { describeSetting, type SettingName } from '@herald/runtime';

/** The "Environment" section of a command's `--help`: variable, default, description. */
export function environmentHelp(rows: readonly (readonly [SettingName, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    'Environment:',
    ...rows.map(
      ([name, fallback]) => `  ${name.padEnd(width)}  ${describeSetting(name)} [${fallback}]`,
    ),
  ].join('\n');
}

/** Settings every DynamoDB user reads. */
export const DYNAMODB_SETTINGS = [
  ['HERALD_DYNAMODB_ENDPOINT', 'unset: AWS'],
  ['AWS_REGION', 'us-east-1 with an endpoint override'],
  ['HERALD_ROUTER_TABLE', 'herald_router'],
  ['HERALD_MESSAGE_TABLE', 'herald_message'],
] as const;
