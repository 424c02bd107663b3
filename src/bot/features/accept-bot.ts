/**
 * /acceptbot: after Crate stopped because EXTERNAL_BOT_USERNAME now names another Telegram account
 * than the bot it talked to, the owner sees both accounts and accepts the new one with a button
 * (the chat's `crate accept-bot`). Nothing is ever accepted without that press.
 */
import { Composer } from 'grammy';
import { onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { inlineKeyboard } from '../keyboards.js';

/** The button carries the waiting account's id in short: a press on an older offer accepts nothing. */
export function accountCheck(id: string): number {
  return Number(BigInt(id) % 1_000_000_000n);
}

export function createAcceptBotFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();

  composer.command('acceptbot', async (ctx) => {
    const control = deps.botAccount;
    if (!control) {
      await ctx.reply('/acceptbot is not available in this setup.');
      return;
    }
    const waiting = control.pending();
    if (!waiting) {
      await ctx.reply('Nothing to accept: Crate has not stopped over the bot’s account.');
      return;
    }
    const { known, pending } = waiting;
    await ctx.reply(
      [
        `@${pending.username} now belongs to another Telegram account (id ${pending.id}) than the bot Crate has been talking to (@${known.username}, id ${known.id}).`,
        'Accept it only if the bot really moved (its owners said so); otherwise fix EXTERNAL_BOT_USERNAME.',
      ].join('\n'),
      { reply_markup: inlineKeyboard([[{ text: `Accept @${pending.username} (id ${pending.id})`, action: 'acceptBot', id: accountCheck(pending.id) }]]) },
    );
  });

  onCallback(composer, ['acceptBot'], async (ctx, { id }) => {
    const control = deps.botAccount;
    const waiting = control?.pending() ?? null;
    if (!control || !waiting || accountCheck(waiting.pending.id) !== id) {
      await ctx.editMessageReplyMarkup().catch(() => undefined);
      return 'Nothing to accept any more: send /acceptbot again.';
    }
    const accepted = control.accept(waiting.pending.id);
    if (!accepted) return 'Nothing to accept any more: send /acceptbot again.';
    ctx.logger.info({ botId: accepted.id }, 'the owner accepted the account the bot username now names');
    await ctx
      .editMessageText(`Accepted: Crate now talks to @${accepted.username} (id ${accepted.id}). Resume the paused job (/resume) to go on.`)
      .catch((err: unknown) => ctx.logger.debug({ err }, 'accept message not edited'));
    return `Accepted @${accepted.username}`;
  });

  return composer;
}
