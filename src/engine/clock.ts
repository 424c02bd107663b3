import type { Clock } from './ports.js';

/** An Error whose name is AbortError, carrying the signal's reason as its cause. */
export function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(reason instanceof Error ? reason.message : 'aborted', { cause: reason });
  err.name = 'AbortError';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Real time. `sleep` rejects with an AbortError when the signal fires and leaves no timer behind. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleepReal(Math.max(0, ms), signal),
};

function sleepReal(ms: number, signal: AbortSignal | undefined, precise = false): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const deadline = performance.now() + ms;
    let timer: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      reject(abortError(signal));
    };
    // Node timers fire a millisecond or two late; harmless in real time, but a clock scaled down
    // 100× would turn that into a 3 % error per message gap. `precise` finishes the last 2 ms by
    // polling the event loop instead.
    const spin = () => {
      if (performance.now() >= deadline) done();
      else immediate = setImmediate(spin);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (precise) timer = setTimeout(spin, Math.max(0, ms - 2));
    else timer = setTimeout(done, ms);
  });
}

/**
 * A clock that runs `1 / factor` times faster than real time (factor 0.01: a 3 s gap takes 30 ms),
 * for benchmarks that model minutes of bot latency in seconds. Its epoch starts at `start`.
 */
export function scaledClock(factor: number, start = Date.now()): Clock {
  if (!(factor > 0)) throw new Error(`scaledClock factor must be > 0, got ${factor}`);
  const t0 = performance.now();
  return {
    now: () => start + (performance.now() - t0) / factor,
    sleep: (ms, signal) => sleepReal(Math.max(0, ms) * factor, signal, true),
  };
}
