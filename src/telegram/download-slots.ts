/**
 * At most N large downloads per data centre at once. Telegram asks clients to keep parallel
 * large-file downloads to a DC low (about 2); more only earns FLOOD_PREMIUM_WAIT slow-downs.
 * One instance per account (the gateway owns it), so every job's downloads share it.
 */
export class DownloadSlots {
  private readonly busy = new Map<number, number>();
  private readonly queues = new Map<number, (() => void)[]>();

  constructor(readonly perDc: number) {
    if (!Number.isInteger(perDc) || perDc < 1) throw new Error(`download slots per DC must be a whole number ≥ 1, got ${perDc}`);
  }

  /**
   * Waits for a slot on `dcId`; the returned function gives it back (once). `onQueued(true)` is
   * called when it has to wait behind other downloads, `onQueued(false)` when that wait ends
   * (granted or aborted): the caller's watchdog must not read our own queue as a silent bot.
   */
  async acquire(dcId: number, signal?: AbortSignal, onQueued?: (queued: boolean) => void): Promise<() => void> {
    signal?.throwIfAborted();
    if ((this.busy.get(dcId) ?? 0) >= this.perDc) {
      onQueued?.(true);
      await new Promise<void>((resolve, reject) => {
        const queue = this.queues.get(dcId) ?? [];
        this.queues.set(dcId, queue);
        const onAbort = () => {
          const i = queue.indexOf(go);
          if (i >= 0) queue.splice(i, 1);
          reject(signal!.reason);
        };
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        queue.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      }).finally(() => onQueued?.(false));
    } else {
      this.busy.set(dcId, (this.busy.get(dcId) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queues.get(dcId)?.shift();
      // The slot passes straight to the next waiter, so the count never dips and overshoots.
      if (next) next();
      else this.busy.set(dcId, (this.busy.get(dcId) ?? 1) - 1);
    };
  }

  inUse(dcId: number): number {
    return this.busy.get(dcId) ?? 0;
  }
}
