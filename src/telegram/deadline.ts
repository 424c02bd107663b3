/**
 * Deadlines for GramJS calls. GramJS has none of its own where it matters: `connect()` returns
 * false (or waits forever on a black-holed link), `invoke` waits for `_connectedDeferred` and for
 * an answer with no limit, and borrowing an exported sender loops until it connects. A promise
 * that misses its deadline is left to settle on its own (GramJS offers no cancellation); its
 * outcome is swallowed so a late rejection never becomes an unhandled one.
 */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`no answer to ${what} within ${formatMs(ms)}`);
  }
}

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  promise.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new DeadlineError(what, ms))), ms);
    const onAbort = () => finish(() => reject(signal!.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    function finish(settle: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    }
    promise.then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => finish(() => reject(err)),
    );
  });
}

export function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Waits `ms` (abortable: resolves early on abort; callers check the signal). */
export function pause(ms: number, signal?: AbortSignal, options: { unref?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    // A background retry must not keep a finished command alive.
    if (options.unref) timer.unref();
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
