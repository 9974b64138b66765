// One timer for many far-off deadlines of different lengths (RFC 4028 session
// timers: minutes per dialog). A setTimeout per dialog costs a timer object,
// a closure and its context for the whole call; here a dialog is one entry in
// a Set. Deadlines are rounded up to the next tick; one timer wakes at the
// earliest tick that has entries.
export class DeadlineWheel<T> {
  /** Tick number → items due then. */
  private readonly ticks = new Map<number, Set<T>>();
  /** Item → its tick, to move or cancel it. */
  private readonly tickOf = new Map<T, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerTick = Infinity;

  constructor(
    private readonly tickMs: number,
    private readonly onDue: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** (Re)schedules `item` for `atMs` (epoch ms), replacing an earlier schedule. */
  schedule(item: T, atMs: number): void {
    this.cancel(item);
    const tick = Math.ceil(atMs / this.tickMs);
    let set = this.ticks.get(tick);
    if (!set) this.ticks.set(tick, (set = new Set()));
    set.add(item);
    this.tickOf.set(item, tick);
    if (tick < this.timerTick) this.arm(tick);
  }

  cancel(item: T): void {
    const tick = this.tickOf.get(item);
    if (tick === undefined) return;
    this.tickOf.delete(item);
    const set = this.ticks.get(tick);
    set?.delete(item);
    if (set?.size === 0) this.ticks.delete(tick);
  }

  has(item: T): boolean {
    return this.tickOf.has(item);
  }

  get size(): number {
    return this.tickOf.size;
  }

  clear(): void {
    this.ticks.clear();
    this.tickOf.clear();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerTick = Infinity;
  }

  private arm(tick: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timerTick = tick;
    this.timer = setTimeout(() => this.fire(), Math.max(0, tick * this.tickMs - this.now()));
    this.timer.unref?.();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerTick = Infinity;
    const nowTick = Math.floor(this.now() / this.tickMs);
    const due: T[] = [];
    let next = Infinity;
    for (const [tick, set] of this.ticks) {
      if (tick > nowTick) {
        next = Math.min(next, tick);
        continue;
      }
      this.ticks.delete(tick);
      for (const item of set) {
        this.tickOf.delete(item);
        due.push(item);
      }
    }
    if (next !== Infinity) this.arm(next);
    // Handlers may schedule again (a refresh re-arms): the table is consistent by now.
    for (const item of due) this.onDue(item);
  }
}
