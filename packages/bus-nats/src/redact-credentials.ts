/**
 * `nats://user:secret@host:4222` → `nats://***@host:4222`; strings without user info
 * are returned unchanged. Every server URL that reaches a log line or an error message
 * goes through here, because NATS URLs may carry credentials.
 */
export function redactCredentials(server: string): string {
  return server.replace(
    /^([a-z]+:\/\/)?[^@/]*@/i,
    (_match, scheme: string | undefined) => `${scheme ?? ''}***@`,
  );
}
