/**
 * Time for the simulator. Real time by default; tests use ManualScheduler to run minutes of bot
 * latency in microseconds, benches scale latencies instead.
 */
export interface SimScheduler {
  /** Milliseconds (epoch-like). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: SimScheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

interface Timer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/** Virtual time: nothing happens until `advance` (or `runAll`) moves the clock. */
export class ManualScheduler implements SimScheduler {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, due: this.current + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  pending(): number {
    return this.timers.length;
  }

  /**
   * Moves the clock forward, firing due timers in order. Between timers it lets promise chains
   * (and I/O callbacks) settle, so code awaiting a reply sees it before the next timer fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (!next || next.due > target) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = Math.max(this.current, next.due);
      next.fn();
    }
    this.current = Math.max(this.current, target);
    await settle();
  }

  /** Fires everything scheduled, including timers scheduled by the timers (bounded). */
  async runAll(maxSteps = 10_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await settle();
      const next = this.earliest();
      if (!next) return;
      await this.advance(next.due - this.current);
    }
    throw new Error(`ManualScheduler.runAll: still busy after ${maxSteps} steps`);
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
