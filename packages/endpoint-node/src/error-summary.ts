/**
 * What of an error may be logged: its name and message. SDK errors can carry request
 * details (keys, tokens, payloads) that must never reach the logs (style.md §8).
 */
export function errorSummary(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'unknown', message: String(error) };
}
