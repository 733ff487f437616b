import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/**
 * Seconds one SDK call takes, retries included: a healthy GetItem answers in a few
 * milliseconds, and the three-attempt bound of the client ends near 10 s.
 */
const CALL_DURATION_BUCKETS_SECONDS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Expected outcomes of a conditional write (an old ack, an unknown uaid), not failures:
 * counting them as errors would make the error rate alert on normal traffic.
 */
const EXPECTED_ERRORS: ReadonlySet<string> = new Set(['ConditionalCheckFailedException']);

/**
 * Declares the DynamoDB metrics on `registry` and records every call `client` sends:
 *
 * - `herald_dynamodb_call_duration_seconds{operation}`: histogram, one observation per
 *   call (retries included), successful or not;
 * - `herald_dynamodb_errors_total{operation}`: calls that failed after their retries,
 *   conditional-check failures excepted.
 *
 * `operation` is the API action (`GetItem`, `Query`, …): a fixed set of a few names.
 * Instrumented as a client middleware at the `initialize` step, the one place every
 * command passes through, so a new call site cannot forget it. Call once per registry:
 * prom-client refuses a name declared twice.
 */
export function instrumentDynamoDbClient(client: DynamoDBClient, registry: Registry): void {
  const registers = [registry];
  const duration = new Histogram({
    name: 'herald_dynamodb_call_duration_seconds',
    help: 'DynamoDB calls by API action, retries included, successful or not.',
    labelNames: ['operation'] as const,
    buckets: CALL_DURATION_BUCKETS_SECONDS,
    registers,
  });
  const errors = new Counter({
    name: 'herald_dynamodb_errors_total',
    help: 'DynamoDB calls that failed after their retries (conditional-check failures are outcomes, not counted).',
    labelNames: ['operation'] as const,
    registers,
  });

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const stop = duration.startTimer({ operation });
      try {
        return await next(args);
      } catch (error) {
        if (!EXPECTED_ERRORS.has(errorName(error))) errors.inc({ operation });
        throw error;
      } finally {
        stop();
      }
    },
    { step: 'initialize', name: 'heraldMetrics' },
  );
}

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return '';
  const name = (error as { name?: unknown }).name;
  return typeof name === 'string' ? name : '';
}
