/**
 * The recent lines a child process printed, kept so a test can wait on a line (rather
 * than sleep) and show the output when it fails. Bounded: a long run keeps the newest
 * `keptLines`.
 */
export class OutputLines {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();
  private readonly seen = new Set<RegExp>();
  private readonly permanent: ((line: string) => void)[] = [];

  constructor(private readonly keptLines: number) {}

  /** Splits a stream into lines as it arrives. */
  collect(stream: NodeJS.ReadableStream | null): void {
    if (stream === null) return;
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) this.add(line);
    });
    stream.on('end', () => {
      if (pending !== '') this.add(pending);
      pending = '';
    });
  }

  /** Calls `listener` with every line from now on (the kept window aside). */
  onLine(listener: (line: string) => void): void {
    this.permanent.push(listener);
  }

  add(line: string): void {
    for (const listener of this.permanent) listener(line);
    this.lines.push(line);
    if (this.lines.length > this.keptLines) this.lines.shift();
    for (const listener of [...this.listeners]) listener(line);
  }

  /** Every kept line, oldest first. */
  all(): readonly string[] {
    return this.lines;
  }

  text(): string {
    return this.lines.join('\n');
  }

  /**
   * Whether any line so far matched `pattern`. Remembered once true, so an old match is
   * not lost when its line is trimmed from the kept window.
   */
  has(pattern: RegExp): boolean {
    if (this.seen.has(pattern)) return true;
    if (!this.lines.some((line) => pattern.test(line))) return false;
    this.seen.add(pattern);
    return true;
  }

  /**
   * Resolves with the first line (kept so far, or yet to come) that matches `pattern`.
   * Rejects after `timeoutMs`, or when `signal` aborts; either way nothing stays pending.
   */
  waitFor(pattern: RegExp, o: { timeoutMs: number; signal?: AbortSignal }): Promise<string> {
    const earlier = this.lines.find((line) => pattern.test(line));
    if (earlier !== undefined) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        o.signal?.removeEventListener('abort', onAbort);
        outcome();
      };
      const listener = (line: string): void => {
        if (pattern.test(line)) finish(() => resolve(line));
      };
      const onAbort = (): void => finish(() => reject(new Error(`stopped waiting for ${pattern}`)));
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no line matched ${pattern} in ${o.timeoutMs} ms`))),
        o.timeoutMs,
      );
      this.listeners.add(listener);
      o.signal?.addEventListener('abort', onAbort);
      if (o.signal?.aborted === true) onAbort();
    });
  }
}
