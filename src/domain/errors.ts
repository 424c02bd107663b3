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
  /** True when this is a wait already in force (our own pacer refusing), not a new answer from Telegram. */
  readonly alreadyKnown: boolean;
  constructor(
    readonly seconds: number,
    context: string,
    options?: { cause?: unknown; alreadyKnown?: boolean },
  ) {
    super(`Telegram flood wait of ${seconds} s (${context})`, options);
    this.alreadyKnown = options?.alreadyKnown ?? false;
  }
}

/**
 * Our pacer gave up a turn at the last moment, so nothing was sent: the caller was held up between
 * its turn and the send (a slow disk, a busy event loop) or another process took the turn. The
 * track asks again at its next turn; this is not the track's failure and spends none of its attempts.
 */
export class TurnLostError extends Error {
  override readonly name = 'TurnLostError';
}

const SESSION_EXPIRED_TEXT = 'Telegram session is no longer valid';
const NOT_LOGGED_IN_TEXT = 'Telegram is not logged in yet';
/** The code of the error a gateway without any session throws (never logged in). */
export const NO_SESSION_CODE = 'NO_SESSION';

/**
 * The user session is gone (AUTH_KEY_UNREGISTERED, SESSION_REVOKED...) or was never there
 * (NO_SESSION): the owner must log in. The message names no command: the chat says /login, the
 * terminal `crate login`.
 */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
  constructor(
    readonly code: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    const why = options?.hint ? `${options.hint}; ` : '';
    super(code === NO_SESSION_CODE ? `${NOT_LOGGED_IN_TEXT}: log in first` : `${SESSION_EXPIRED_TEXT} (${code}): ${why}log in again`, options);
  }

  /** Never logged in: nothing "expired", and nothing should say so. */
  get notLoggedIn(): boolean {
    return this.code === NO_SESSION_CODE;
  }
}

/** A job paused with this error's message waits for a (new) login, and goes on after it. */
export function isSessionExpiredReason(reason: string | null | undefined): boolean {
  return typeof reason === 'string' && (reason.startsWith(SESSION_EXPIRED_TEXT) || reason.startsWith(NOT_LOGGED_IN_TEXT));
}

const UNREACHABLE_TEXT = 'Telegram cannot be reached';

/** No connection to Telegram (refused, no answer, a call past its deadline). Transient: retried later. */
export class TelegramUnreachableError extends Error {
  override readonly name = 'TelegramUnreachableError';
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${UNREACHABLE_TEXT} (${detail})`, options);
  }
}

/** The reason a job is paused with while Telegram is unreachable; it resumes by itself when it is back. */
export const TELEGRAM_UNREACHABLE_REASON = 'Telegram unreachable';

export function isTelegramUnreachableReason(reason: string | null | undefined): boolean {
  return typeof reason === 'string' && (reason === TELEGRAM_UNREACHABLE_REASON || reason.startsWith(UNREACHABLE_TEXT));
}

/**
 * Why a job pauses on its own: a paywall, quota or restriction of the external bot, a gate only
 * the owner can open (join a channel, press start), replies Crate cannot read, our own limits, or
 * a bot username that names no bot (or another account than before: `bot_account`).
 */
export type SafetySignal = 'promo' | 'quota' | 'restricted' | 'gate' | 'unknown_reply' | 'flood' | 'budget' | 'bot_account';

/** The external bot signalled a paywall, quota, restriction or gate: stop asking and tell the owner. */
export class SafetyStopError extends Error {
  override readonly name = 'SafetyStopError';
  constructor(
    readonly signal: SafetySignal,
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

/** File-system failures that no retry fixes: every next track would fail the same way. */
const STORAGE_CODES: Record<string, 'full' | 'readonly' | 'denied'> = {
  ENOSPC: 'full',
  EDQUOT: 'full',
  EROFS: 'readonly',
  EACCES: 'denied',
  EPERM: 'denied',
};

/** The disk is full, read-only or not ours to write: the job pauses until the owner fixes it. */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: string,
    readonly path: string | null,
    options?: { cause?: unknown },
  ) {
    const where = path ?? 'the download folder';
    const kind = STORAGE_CODES[code] ?? 'denied';
    super(
      kind === 'full'
        ? `The disk is full (no space left while writing to ${where}). Free some space, then resume the job: nothing is lost, finished files stay and the track in progress is fetched again from the chat.`
        : `Crate cannot write to ${where} (${kind === 'readonly' ? 'the file system is read-only' : 'permission denied'}). Make the download folder writable (or set DOWNLOAD_FOLDER to one that is), then resume the job.`,
      options,
    );
  }
}

/** The storage failure somewhere in `err`'s cause chain (disk full, read-only, no permission), or null. */
export function storageErrorOf(err: unknown): StorageError | null {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (e instanceof StorageError) return e;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code in STORAGE_CODES) {
      const p = (e as { path?: unknown }).path;
      return new StorageError(code, typeof p === 'string' ? p : null, { cause: err });
    }
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
