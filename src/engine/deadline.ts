/**
 * A bound on a call whose end we do not control (a Telegram request that may hang forever, a
 * job that takes its time to settle): after `ms` the caller gets `onTimeout()` instead and the
 * call goes on by itself (its late result or error is dropped). Used at the boundary where the
 * control bot and the CLI wait for the engine, so no command waits without end.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => T | Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      Promise.resolve()
        .then(onTimeout)
        .then(resolve, reject);
    }, ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
