/**
 * Virtual time for GramJS and everything else in the process: vitest's fake timers replace the
 * global setTimeout/setInterval/Date (GramJS's release timer, ping loop, reconnect sleeps, our
 * deadlines, the fake network's latencies), and `run` moves the clock to the next timer whenever
 * the program is idle. Real I/O still takes real time: while a file-system request is in flight
 * the clock stands still, so a 60 s deadline cannot fire "during" a 5 ms write.
 */
import { vi } from 'vitest';

export interface VirtualTime {
  now(): number;
  /** Runs virtual time until `promise` settles. */
  run<T>(promise: Promise<T>, options?: { maxVirtualMs?: number }): Promise<T>;
  /** Virtual time passes for `ms` (a `run` of a plain sleep). */
  sleep(ms: number): Promise<void>;
  uninstall(): void;
}

const realSetTimeout = globalThis.setTimeout;

export function installVirtualTime(start = Date.UTC(2026, 4, 1, 12, 0, 0)): VirtualTime {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'], now: start });
  return {
    now: () => Date.now(),
    async run<T>(promise: Promise<T>, options: { maxVirtualMs?: number } = {}): Promise<T> {
      let settled = false;
      const watched = promise.finally(() => {
        settled = true;
      });
      watched.catch(() => undefined);
      const limit = Date.now() + (options.maxVirtualMs ?? 24 * 3600_000);
      for (let stalls = 0; ; ) {
        await idle();
        if (settled) break;
        if (fsBusy()) {
          await realSleep(1);
          continue;
        }
        if (vi.getTimerCount() === 0) {
          await realSleep(1);
          if (++stalls > 3000) throw new Error('virtual time: nothing scheduled and the promise never settled');
          continue;
        }
        stalls = 0;
        // Moves the clock to the next timer and fires it (that one only).
        vi.advanceTimersToNextTimer();
        if (Date.now() > limit) throw new Error('virtual time: passed the limit');
      }
      return watched;
    },
    sleep(ms: number): Promise<void> {
      return this.run(new Promise<void>((resolve) => setTimeout(resolve, ms)));
    },
    uninstall: () => vi.useRealTimers(),
  };
}

/** Every pending microtask and immediate has run (three rounds: promise chains settle). */
async function idle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
}

function fsBusy(): boolean {
  return process.getActiveResourcesInfo().some((name) => name.startsWith('FSReq') || name.endsWith('CloseReq'));
}

function realSleep(ms: number): Promise<void> {
  return new Promise((r) => realSetTimeout(r, ms));
}
