/**
 * An error the user caused or can fix (bad link, missing setting, private playlist...).
 * The CLI and the bot show its message as is, never a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** Optional extra lines telling the user what to do. */
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Telegram asked us to wait. `seconds` is the server's number; never send before it passes. */
export class FloodWaitError extends Error {
  override readonly name = 'FloodWaitError';
  constructor(
    readonly seconds: number,
    context: string,
    options?: { cause?: unknown },
  ) {
    super(`Telegram flood wait of ${seconds} s (${context})`, options);
  }
}

/** The user session is gone (AUTH_KEY_UNREGISTERED, SESSION_REVOKED...): the owner must log in again. */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`Telegram session is no longer valid (${code}): log in again with /login or \`crate login\``, options);
  }
}

/** The external bot signalled a paywall, quota or restriction: stop asking and tell the owner. */
export class SafetyStopError extends Error {
  override readonly name = 'SafetyStopError';
  constructor(
    readonly signal: 'promo' | 'quota' | 'restricted' | 'flood' | 'budget',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Spotify (or another HTTP source) asked us to come back much later. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError';
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
