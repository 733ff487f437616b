/**
 * The asynchronous work a node has started and not yet seen finish: session tasks (which
 * call storage), bus publishes, forwards. `close()` waits for it, so a caller that closes
 * the stores or the bus right after the node never sees them used afterwards.
 *
 * Only running work is held (a set entry per in-flight promise); an idle socket costs
 * nothing here.
 */
export class InFlightWork {
  private readonly pending = new Set<Promise<unknown>>();

  /**
   * Holds `work` until it settles. `work` must handle its own errors: a rejection is
   * swallowed here only so that tracking never causes an unhandled rejection.
   */
  track(work: Promise<unknown>): void {
    this.pending.add(work);
    const forget = (): void => {
      this.pending.delete(work);
    };
    work.then(forget, forget);
  }

  /**
   * Resolves once nothing is in flight, including work started by work that was in
   * flight when this was called (a session task that publishes, for example).
   */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  get size(): number {
    return this.pending.size;
  }
}
