/**
 * Virtual time for GramJS and everything else in the process: @sinonjs/fake-timers replace the
 * global setTimeout/setInterval/Date (GramJS's release timer, ping loop, reconnect sleeps, our
 * deadlines, the fake network's latencies), and `run` moves the clock to the next timer whenever
 * the program is idle. Real I/O still takes real time: while a file-system request or a child
 * process is in flight the clock stands still, so a 60 s deadline cannot fire "during" a 5 ms
 * write or a flac decode.
 */
import FakeTimers from '@sinonjs/fake-timers';
import { Worker } from 'node:worker_threads';

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
  // Works in vitest and in the chaos runner alike (vitest's own `vi` needs its test runtime).
  const workers = trackWorkers();
  const clock = FakeTimers.install({ now: start, toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'] });
  return {
    now: () => Date.now(),
    async run<T>(promise: Promise<T>, options: { maxVirtualMs?: number } = {}): Promise<T> {
      let settled = false;
      const watched = promise.finally(() => {
        settled = true;
      });
      watched.catch(() => undefined);
      const limit = Date.now() + (options.maxVirtualMs ?? 24 * 3600_000);
      // After real work was seen, the clock waits for a few quiet real milliseconds: between two
      // reads of a stream there are moments with nothing in flight that are not the end of it.
      let quietNeeded = 0;
      let quietBigJump = 0;
      for (let stalls = 0; ; ) {
        await idle();
        if (settled) break;
        if (fsBusy() || workers.busy() > 0) {
          quietNeeded = 5;
          await realSleep(1);
          continue;
        }
        if (quietNeeded > 0) {
          quietNeeded--;
          await realSleep(1);
          continue;
        }
        if (clock.countTimers() === 0) {
          await realSleep(1);
          if (++stalls > 3000) throw new Error('virtual time: nothing scheduled and the promise never settled');
          continue;
        }
        stalls = 0;
        // Worker threads (the library's file checks) are invisible to getActiveResourcesInfo: a
        // jump of more than a second waits a few quiet real milliseconds first, so a check that is
        // still running in a worker finishes before its own timeout "fires".
        if (nextDue(clock) - Date.now() > 1_000 && quietBigJump < 25) {
          quietBigJump++;
          await realSleep(1);
          continue;
        }
        quietBigJump = 0;
        // Moves the clock to the next timer and fires it (that one only).
        clock.next();
        if (Date.now() > limit) throw new Error('virtual time: passed the limit');
      }
      return watched;
    },
    sleep(ms: number): Promise<void> {
      return this.run(new Promise<void>((resolve) => setTimeout(resolve, ms)));
    },
    uninstall: () => {
      clock.uninstall();
      workers.restore();
    },
  };
}

/**
 * Worker threads (the library's file checks) are invisible to getActiveResourcesInfo. A job is a
 * postMessage to a worker answered by one message back (or its exit): count them, so virtual time
 * stands still while a check runs, as it does for file I/O. Node's own Worker class, not a vendor's.
 */
function trackWorkers(): { busy(): number; restore(): void } {
  const proto = Worker.prototype as Worker & { __vtTracked?: boolean };
  const original = proto.postMessage;
  let busy = 0;
  proto.postMessage = function (this: Worker & { __vtTracked?: boolean }, ...args: Parameters<Worker['postMessage']>) {
    if (!this.__vtTracked) {
      this.__vtTracked = true;
      const done = () => {
        busy = Math.max(0, busy - 1);
      };
      this.on('message', done);
      this.on('exit', () => {
        busy = 0;
      });
    }
    busy++;
    return original.apply(this, args);
  };
  return {
    busy: () => busy,
    restore: () => {
      proto.postMessage = original;
    },
  };
}

/** When the earliest fake timer is due (fake-timers keeps them in `timers`). */
function nextDue(clock: object): number {
  const timers = (clock as { timers?: unknown }).timers;
  const list = (timers instanceof Map ? [...timers.values()] : Object.values(timers ?? {})) as { callAt: number }[];
  let due = Infinity;
  for (const t of list) due = Math.min(due, t.callAt);
  return due;
}

/** Every pending microtask and immediate has run (three rounds: promise chains settle). */
async function idle(): Promise<void> {
  for (let i = 0; i < 4; i++) await new Promise((r) => setImmediate(r));
}

/** Real work in flight that virtual time must not overtake: file I/O, child processes (flac, sox), connects. */
function fsBusy(): boolean {
  return process
    .getActiveResourcesInfo()
    .some((name) => name.startsWith('FSReq') || name.endsWith('CloseReq') || name === 'ProcessWrap' || name === 'TCPConnectWrap');
}

function realSleep(ms: number): Promise<void> {
  return new Promise((r) => realSetTimeout(r, ms));
}
