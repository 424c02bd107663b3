/** Last in the chain: whatever no feature took. */
import { Composer } from 'grammy';
import type { BotContext } from '../context.js';

export function createUnhandledFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('callback_query', async (ctx) => {
    ctx.logger.debug({ data: ctx.callbackQuery.data?.slice(0, 64) }, 'unknown or outdated button');
    await ctx.answerCallbackQuery({ text: 'This button is outdated. Send /jobs for the current state.' });
  });
  composer.on('message', async (ctx) => {
    await ctx.reply('Send me a Spotify playlist, album or track link, or /help.');
  });
  return composer;
}
