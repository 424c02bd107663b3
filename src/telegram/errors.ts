import { errors } from 'telegram';
import { FloodWaitError, SafetyStopError, SessionExpiredError, TelegramUnreachableError } from '../domain/errors.js';

/**
 * RPC error codes meaning the stored session can no longer be used: the owner must log in
 * again. Seen from Telegram as 401 (or 406 for AUTH_KEY_DUPLICATED).
 */
const SESSION_GONE = new Set([
  'AUTH_KEY_UNREGISTERED',
  'AUTH_KEY_INVALID',
  'AUTH_KEY_PERM_EMPTY',
  'AUTH_KEY_DUPLICATED',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
  'USER_DEACTIVATED',
  'USER_DEACTIVATED_BAN',
]);

/**
 * Answers that mean the account itself is limited: retrying track after track is exactly what
 * deepens a spam limit, so the job stops at once and the owner is told what to do.
 */
const ACCOUNT_LIMITS: Record<string, string> = {
  PEER_FLOOD:
    'Telegram limited this account for sending too much (PEER_FLOOD): the job is paused. Wait a day before resuming, and check @SpamBot in Telegram for details.',
  USER_RESTRICTED:
    'Telegram restricted this account (USER_RESTRICTED): the job is paused. Check @SpamBot in Telegram; resume once the restriction is lifted.',
  YOU_BLOCKED_USER:
    'This account has blocked the external bot (YOU_BLOCKED_USER): the job is paused. Unblock the bot in Telegram, then resume.',
};

/** What to do after each way a session can end (shown after the generic "log in again"). */
const SESSION_HINTS: Record<string, string> = {
  AUTH_KEY_DUPLICATED:
    'Telegram saw this session used from two places at once (another Crate, or a copied session file) and dropped it; run only one Crate per account and never copy the session file',
  SESSION_REVOKED: 'the session was ended from another device (Settings → Devices)',
};

/** The RPC error code (e.g. "PHONE_CODE_INVALID") of a GramJS error, or null for anything else. */
export function rpcErrorCode(err: unknown): string | null {
  if (err instanceof errors.RPCError && typeof err.errorMessage === 'string') return err.errorMessage;
  return null;
}

export function isSessionGoneCode(code: string): boolean {
  return SESSION_GONE.has(code);
}

/**
 * The one place where GramJS errors become domain errors. Flood waits of any length surface as
 * FloodWaitError (the engine's pacer owns every wait); a dead session becomes SessionExpiredError;
 * anything else is wrapped with the operation that failed, keeping the GramJS error as cause.
 */
export function mapTelegramError(err: unknown, context: string): Error {
  if (
    err instanceof FloodWaitError ||
    err instanceof SessionExpiredError ||
    err instanceof TelegramUnreachableError ||
    err instanceof SafetyStopError
  ) {
    return err;
  }
  if (err instanceof errors.FloodWaitError || err instanceof errors.FloodTestPhoneWaitError) {
    return new FloodWaitError(err.seconds, context, { cause: err });
  }
  if (err instanceof errors.SlowModeWaitError) return new FloodWaitError(err.seconds, context, { cause: err });
  const code = rpcErrorCode(err);
  if (code !== null && isSessionGoneCode(code)) {
    const hint = SESSION_HINTS[code];
    return new SessionExpiredError(code, { cause: err, ...(hint ? { hint } : {}) });
  }
  if (code !== null && ACCOUNT_LIMITS[code]) return new SafetyStopError('restricted', ACCOUNT_LIMITS[code], { cause: err });
  if (code !== null) return new TelegramRequestError(code, context, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new Error(`Telegram ${context} failed: ${message}`, { cause: err });
}

/** An RPC error Telegram answered with, other than the ones mapped to domain errors. */
export class TelegramRequestError extends Error {
  override readonly name = 'TelegramRequestError';
  constructor(
    readonly code: string,
    context: string,
    options?: { cause?: unknown },
  ) {
    super(`Telegram ${context} failed: ${code}`, options);
  }
}

/** Runs one Telegram call and maps whatever it throws. */
export async function withTelegramErrors<T>(context: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapTelegramError(err, context);
  }
}
