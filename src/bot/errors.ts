import { BotError } from 'grammy';
import {
  FloodWaitError,
  RateLimitedError,
  SafetyStopError,
  SessionExpiredError,
  StorageError,
  TelegramUnreachableError,
  UserError,
  errorMessage,
} from '../domain/errors.js';
import { SecretRegistry, type Logger } from '../logger.js';
import { toChatWords } from './chat-words.js';
import type { BotContext } from './context.js';
import { formatDuration, truncate } from './format.js';

/**
 * Errors Crate expects (the owner can act on them, or they pass by themselves): shown in plain
 * words, logged without alarm. Anything else is a defect and says so.
 */
export function expectedErrorText(err: unknown): string | null {
  if (err instanceof UserError) return `${err.message}${err.hint ? `\n${err.hint}` : ''}`;
  if (err instanceof SessionExpiredError) {
    return err.notLoggedIn
      ? 'Crate is not logged in to Telegram yet. Send /login first.'
      : `Your Telegram session expired (${err.code}). Send /login to log in again.`;
  }
  if (err instanceof FloodWaitError) return `Telegram asked Crate to wait ${formatDuration(err.seconds)}. Try again after that.`;
  // The network, not Crate: the owner can check the machine's connection (running jobs retry by themselves).
  if (err instanceof TelegramUnreachableError) {
    return `📡 Telegram cannot be reached from the machine Crate runs on (${err.detail}). Check its network connection, then try again.`;
  }
  if (err instanceof SafetyStopError || err instanceof StorageError) return err.message;
  if (err instanceof RateLimitedError) return err.message;
  return null;
}

/** What the owner sees for an error: plain words for expected ones, a short note otherwise; no secret ever. */
export function errorText(err: unknown, secrets: SecretRegistry | string[]): string {
  const raw =
    expectedErrorText(err) ?? `Something went wrong: ${truncate(errorMessage(err), 300)}\n(The details are in the log.)`;
  return scrubSecrets(toChatWords(raw), secrets);
}

export function scrubSecrets(text: string, secrets: SecretRegistry | string[]): string {
  const registry = secrets instanceof SecretRegistry ? secrets : new SecretRegistry(secrets);
  return registry.scrub(text);
}

/**
 * The error boundary around all features: logs, then tells the owner (a toast for a button press,
 * a reply otherwise). Failing to tell is logged, never thrown: polling must go on.
 */
export function errorBoundaryHandler(secrets: SecretRegistry, fallbackLogger: Logger) {
  return async (err: BotError<BotContext>): Promise<void> => {
    const ctx = err.ctx;
    const logger = ctx.logger ?? fallbackLogger;
    const cause = err.error;
    const expected = expectedErrorText(cause);
    // An expected condition is no incident: one line without a stack.
    if (expected !== null) logger.info({ error: cause instanceof Error ? cause.name : 'error', message: scrubSecrets(expected, secrets) }, 'owner told');
    else logger.error({ err: cause }, 'error while handling an update');
    const text = errorText(cause, secrets);
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: truncate(text, 190), show_alert: true });
      else if (ctx.chat) await ctx.reply(text);
    } catch (replyErr) {
      logger.warn({ err: replyErr }, 'could not report the error to the owner');
    }
  };
}

export { BotError };
