/**
 * The sum of every sample of `name` in a Prometheus text exposition (all label sets),
 * or `undefined` when the metric has no sample at all, so a test can tell "not
 * declared" from "declared and zero".
 */
export function sampleSum(text: string, name: string): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    sum = (sum ?? 0) + Number(match[3]);
  }
  return sum;
}
