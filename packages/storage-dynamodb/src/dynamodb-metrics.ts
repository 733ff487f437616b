import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { errorTypeOf } from './storage-failure';
import type { CallObserver } from './wire/dynamodb-wire-client';

/**
 * Seconds one call takes, retries included: a healthy GetItem answers in a few
 * milliseconds, and the three-attempt bound of the client ends near 10 s.
 */
const CALL_DURATION_BUCKETS_SECONDS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Expected outcomes of a conditional write (an old ack, an unknown uaid), not failures:
 * counting them as errors would make the error rate alert on normal traffic.
 */
const EXPECTED_ERRORS: ReadonlySet<string> = new Set(['ConditionalCheckFailedException']);

/**
 * Declares the DynamoDB metrics on `registry` and returns the observer that records
 * every call of a `DynamoDbWireClient` given it:
 *
 * - `herald_dynamodb_call_duration_seconds{operation}`: histogram, one observation per
 *   call (retries included), successful or not;
 * - `herald_dynamodb_errors_total{operation}`: calls that failed after their retries,
 *   conditional-check failures excepted.
 *
 * `operation` is the API action (`GetItem`, `Query`, …): a fixed set of a few names.
 * The client calls the observer for every call it sends, so a new call site cannot
 * forget it. Call once per registry: prom-client refuses a name declared twice.
 */
export function createDynamoDbCallMetrics(registry: Registry): CallObserver {
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
  // Bound children per action: resolving labels on every observation costs a hash each time.
  const durations = new Map<string, { observe(seconds: number): void }>();
  return (operation, seconds, error) => {
    let child = durations.get(operation);
    if (child === undefined) {
      child = duration.labels({ operation });
      durations.set(operation, child);
    }
    child.observe(seconds);
    if (error !== undefined && !EXPECTED_ERRORS.has(errorTypeOf(error) ?? '')) {
      errors.inc({ operation });
    }
  };
}
