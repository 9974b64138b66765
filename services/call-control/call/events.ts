// A typed event list with unsubscribe functions: what an in-call feature's
// `attach(call) → detach` is made of. A listener that throws is logged by the
// owner (onError) and never stops the others or the call.

export class Events<T extends { [K in keyof T]: unknown[] }> {
  // Stored untyped: each set holds listeners of one event, typed at on() and emit().
  private readonly listeners = new Map<keyof T, Set<(...args: unknown[]) => void>>();

  constructor(private readonly onError: (event: keyof T, err: unknown) => void = () => undefined) {}

  on<E extends keyof T>(event: E, fn: (...args: T[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const f = fn as unknown as (...args: unknown[]) => void;
    set.add(f);
    return () => void set.delete(f);
  }

  emit<E extends keyof T>(event: E, ...args: T[E]): number {
    const set = this.listeners.get(event);
    if (!set) return 0;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        this.onError(event, err);
      }
    }
    return set.size;
  }

  count(event: keyof T): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  clear(): void {
    this.listeners.clear();
  }
}
