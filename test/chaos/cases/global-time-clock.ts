import type { VirtualTime } from '../../fakes/mtproto/virtual-time.js';
import { abortError } from '../../../src/engine/clock.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * The chaos stack's clock on the process's own (faked) timers, for cases where GramJS itself must
 * run in virtual time too (its pings, reconnects and release timers, our deadlines): one timeline
 * for the engine, the bot, GramJS and the fake network.
 */
export class GlobalTimeClock extends VirtualClock {
  constructor(private readonly vt: VirtualTime) {
    super(Date.now());
  }

  override now(): number {
    return Date.now();
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        // At least 1 ms: a loop that yields with sleep(0) while waiting for GramJS would otherwise
        // re-arm at the same instant forever and starve the network's own timers.
      }, Number.isFinite(ms) ? Math.max(1, ms) : 1);
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  override hold<T>(p: Promise<T>): Promise<T> {
    return p;
  }

  override run<T>(promise: Promise<T>, options: { maxVirtualMs?: number } = {}): Promise<T> {
    return this.vt.run(promise, options);
  }
}
