import { BotError } from 'grammy';
import { UserError, errorMessage } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { BotContext } from './context.js';
import { truncate } from './format.js';

/** What the owner sees for an error: the message of a UserError, a short note otherwise; no secret ever. */
export function errorText(err: unknown, secrets: string[]): string {
  const raw =
    err instanceof UserError
      ? `${err.message}${err.hint ? `\n${err.hint}` : ''}`
      : `Something went wrong: ${truncate(errorMessage(err), 300)}\n(The details are in the log.)`;
  return scrubSecrets(raw, secrets);
}

export function scrubSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out.replace(/\b\d{6,12}:[A-Za-z0-9_-]{30,}\b/g, '[redacted-token]');
}

/**
 * The error boundary around all features: logs, then tells the owner (a toast for a button press,
 * a reply otherwise). Failing to tell is logged, never thrown: polling must go on.
 */
export function errorBoundaryHandler(secrets: string[], fallbackLogger: Logger) {
  return async (err: BotError<BotContext>): Promise<void> => {
    const ctx = err.ctx;
    const logger = ctx.logger ?? fallbackLogger;
    const cause = err.error;
    if (cause instanceof UserError) logger.info({ err: cause }, 'user error');
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
