import type { Clock } from './ports.js';
import { abortError } from './clock.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Virtual time (tests, `crate debug exchange`). `sleep` parks until the clock passes its deadline; `run(promise)` drives the clock
 * itself: each time the program is idle (no more microtasks or immediates), it jumps to the next
 * timer. A job that waits hours of pacer gaps and bot latency finishes in milliseconds.
 */
export class VirtualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private holds = 0;

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal));
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /**
   * Keeps virtual time still until `p` settles: while real I/O that virtual time must not overtake
   * is in flight (a download writing megabytes), `run` waits in real time instead of jumping to the
   * next timer, so a watchdog cannot fire "120 s later" in the middle of a 5 ms file write.
   */
  hold<T>(p: Promise<T>): Promise<T> {
    this.holds++;
    return p.finally(() => {
      this.holds--;
    });
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting each one's consequences run. */
  async advance(ms: number): Promise<void> {
    const target = this.t + ms;
    for (;;) {
      await idle();
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.fire(next);
    }
    this.t = Math.max(this.t, target);
    await idle();
  }

  /** Runs virtual time until `promise` settles. Throws if nothing is scheduled and it never settles. */
  async run<T>(promise: Promise<T>, options: { maxVirtualMs?: number } = {}): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => {});
    const limit = this.t + (options.maxVirtualMs ?? 365 * 24 * 3600 * 1000);
    let stalls = 0;
    while (!settled) {
      await idle();
      if (settled) break;
      const next = this.earliest();
      if (!next || this.holds > 0) {
        // Real I/O (a file write) may still be going: give it real time before jumping or giving up.
        await new Promise((r) => setTimeout(r, 2));
        // ~60 s of real time: the end of a 1000-track job (playlist files, DJ exports of the
        // whole library) is seconds of real file work on a loaded machine, not a hang.
        if (!next && ++stalls > 30_000) throw new Error('VirtualClock.run: nothing scheduled and the promise never settled');
        continue;
      }
      stalls = 0;
      if (next.at > limit) throw new Error('VirtualClock.run: virtual time limit passed');
      this.fire(next);
    }
    return watched;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fire(timer: Timer): void {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.resolve();
  }
}

/** Lets every pending microtask and immediate run. */
async function idle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
}
