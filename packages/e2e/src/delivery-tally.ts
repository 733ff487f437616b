/**
 * What an end-to-end run sent and what its user agents received, keyed by (subscription,
 * sequence number), so the run can say exactly what was lost, duplicated or reordered.
 */
export class DeliveryTally {
  private sentCount = 0;
  private readonly statuses = new Map<number, number>();
  /** subscription → sequence numbers answered 201. */
  private readonly accepted = new Map<number, Set<number>>();
  /** subscription → sequence → the version it first arrived with. */
  private readonly versions = new Map<number, Map<number, string>>();
  /** subscription → sequence numbers in order of first arrival. */
  private readonly arrivalOrder = new Map<number, number[]>();
  private receiptCount = 0;
  private readonly versionMismatches: string[] = [];
  private readonly sentWaiters: { count: number; resolve: () => void }[] = [];

  /** Records a push's HTTP answer; wakes {@link whenSent} waiters. */
  answered(subscription: number, sequence: number, status: number): void {
    this.sentCount += 1;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (status === 201) setOf(this.accepted, subscription).add(sequence);
    for (const waiter of this.sentWaiters.filter((w) => w.count <= this.sentCount)) {
      this.sentWaiters.splice(this.sentWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Resolves once `count` pushes have been answered: for actions "mid-stream". */
  whenSent(count: number): Promise<void> {
    if (this.sentCount >= count) return Promise.resolve();
    return new Promise((resolve) => this.sentWaiters.push({ count, resolve }));
  }

  /** Records one decrypted notification as a user agent received it. */
  received(subscription: number, sequence: number, version: string): void {
    this.receiptCount += 1;
    const versions = mapOf(this.versions, subscription);
    const earlier = versions.get(sequence);
    if (earlier === undefined) {
      versions.set(sequence, version);
      listOf(this.arrivalOrder, subscription).push(sequence);
    } else if (earlier !== version) {
      this.versionMismatches.push(
        `subscription ${subscription} seq ${sequence}: ${earlier} then ${version}`,
      );
    }
  }

  /** Accepted (201) pushes no user agent has received yet, as `subscription/seq`. */
  missing(): string[] {
    const out: string[] = [];
    for (const [subscription, sequences] of this.accepted) {
      const got = this.versions.get(subscription);
      for (const sequence of sequences) {
        if (got?.has(sequence) !== true) out.push(`${subscription}/${sequence}`);
      }
    }
    return out;
  }

  /** Subscriptions whose first arrivals are not in ascending sequence order. */
  outOfOrder(): string[] {
    const out: string[] = [];
    for (const [subscription, order] of this.arrivalOrder) {
      if (order.some((sequence, i) => i > 0 && sequence < order[i - 1]!)) {
        out.push(`${subscription}: ${order.join(',')}`);
      }
    }
    return out;
  }

  /** The same sequence number seen with two different versions: must never happen. */
  mismatchedDuplicates(): readonly string[] {
    return this.versionMismatches;
  }

  report(): {
    sent: number;
    accepted: number;
    delivered: number;
    lost: number;
    duplicates: number;
    statuses: Record<string, number>;
  } {
    let accepted = 0;
    for (const sequences of this.accepted.values()) accepted += sequences.size;
    let delivered = 0;
    for (const versions of this.versions.values()) delivered += versions.size;
    return {
      sent: this.sentCount,
      accepted,
      delivered,
      lost: this.missing().length,
      duplicates: this.receiptCount - delivered,
      statuses: Object.fromEntries(this.statuses),
    };
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = new Set()));
  return value;
}

function mapOf<K, K2, V>(map: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = new Map<K2, V>()));
  return value;
}

function listOf<K, V>(map: Map<K, V[]>, key: K): V[] {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = []));
  return value;
}
