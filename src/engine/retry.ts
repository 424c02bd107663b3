/** Exponential backoff for retryable track failures. */
export interface BackoffOptions {
  /** Delay before the first retry. */
  baseMs: number;
  /** Ceiling for any single delay. */
  maxMs: number;
  factor: number;
  /** Extra random share (0.2 = up to +20 %), so retries of tracks that failed together spread out. */
  jitter: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 10_000,
  maxMs: 10 * 60_000,
  factor: 2,
  jitter: 0.2,
  random: Math.random,
};

/** Delay before retry number `retry` (1 = the first retry): base × factor^(retry-1), capped, plus jitter. */
export function backoffDelayMs(retry: number, options: Partial<BackoffOptions> = {}): number {
  const o = { ...DEFAULT_BACKOFF, ...options };
  const n = Math.max(1, Math.floor(retry));
  const plain = Math.min(o.maxMs, o.baseMs * o.factor ** (n - 1));
  return Math.round(Math.min(o.maxMs, plain * (1 + o.jitter * o.random())));
}

/** True while `attemptsMade` failed attempts still leave a retry (maxRetries = retries after the first try). */
export function canRetry(attemptsMade: number, maxRetries: number): boolean {
  return attemptsMade <= maxRetries;
}
