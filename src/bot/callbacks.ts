import type { Composer, Filter } from 'grammy';
import { decodeCallback, type CallbackAction, type CallbackPayload } from './callback-data.js';
import type { BotContext } from './context.js';

export type CallbackContext = Filter<BotContext, 'callback_query:data'>;

/**
 * Registers a handler for some button actions. The handler's return value, if any, is shown as
 * the toast of answerCallbackQuery (every press is answered, or the phone shows a spinner).
 */
export function onCallback(
  composer: Composer<BotContext>,
  actions: CallbackAction[],
  handler: (ctx: CallbackContext, payload: CallbackPayload) => Promise<string | void>,
): void {
  composer.on('callback_query:data', async (ctx, next) => {
    const payload = decodeCallback(ctx.callbackQuery.data);
    if (!payload || !actions.includes(payload.action)) return next();
    ctx.logger.debug({ action: payload.action, id: payload.id }, 'button pressed');
    const toast = await handler(ctx, payload);
    await ctx.answerCallbackQuery(toast ? { text: toast } : {});
  });
}

/** The numeric argument of a command ("/missing 12" → 12), or null. */
export function commandNumber(match: string | undefined): number | null {
  const m = /^\s*#?(\d{1,9})\s*$/.exec(match ?? '');
  return m ? Number(m[1]) : null;
}
