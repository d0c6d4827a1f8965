/**
 * Work queued by key in this process: each call with a key starts once the
 * previous one with that key has settled (whether it succeeded or threw).
 * The stores' `exclusive` builds on it.
 */
export class InTurn {
  private readonly held = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.held.get(key) ?? Promise.resolve();
    const run = before.catch(() => undefined).then(work);
    this.held.set(key, run);
    const clear = () => {
      if (this.held.get(key) === run) this.held.delete(key);
    };
    run.then(clear, clear);
    return run;
  }

  /** Settles once everything queued now has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.held.values()].map((p) => p.catch(() => undefined)));
  }
}
