/**
 * Helpers shared by the login conversations. Conversations are replayed from the start for every
 * update, so everything with a side effect outside the Bot API goes through `conversation.external`
 * and returns plain, serialisable data (errors become `{ ok: false, message }`).
 */
import type { Conversation } from '@grammyjs/conversations';
import type { Context, Middleware } from 'grammy';
import type { BotContext } from '../context.js';
import type { SecretRegistry } from '../../logger.js';
import { errorText } from '../errors.js';

export type BotConversation = Conversation<BotContext, Context>;

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export async function attempt<T>(op: () => Promise<T>, secrets: SecretRegistry): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await op() };
  } catch (err) {
    return { ok: false, message: errorText(err, secrets) };
  }
}

/** Conversations build their own Api per update: plugins (auto-retry) must be installed again here. */
export type ConversationPlugins = Middleware<Context>[];

/**
 * Waits for the owner's next text message. /cancel ends the conversation. With `everyTextAnswers`
 * (the Telegram login: a 2FA password may start with "/") any other text is the answer; otherwise
 * /login and /spotify end it and start over, and other commands pass through to the normal
 * handlers, so /status keeps working in the middle of the Spotify login. Button presses always
 * pass through.
 */
export async function waitForText(
  conversation: BotConversation,
  what: string,
  options: { onCancel?: () => Promise<unknown>; everyTextAnswers?: boolean } = {},
): Promise<{ ctx: Context; text: string }> {
  const { onCancel, everyTextAnswers = false } = options;
  for (;;) {
    const ctx = await conversation.wait();
    const text = ctx.message?.text;
    if (text === undefined) {
      await conversation.skip({ next: true });
      continue;
    }
    const command = /^\/([a-z_]+)/i.exec(text)?.[1]?.toLowerCase();
    // Where every text answers, only the bare /cancel leaves (a password may be "/cancel-me").
    const cancels = everyTextAnswers ? /^\/cancel(?:@\w+)?\s*$/i.test(text) : command === 'cancel';
    if (cancels) {
      await onCancel?.();
      await ctx.reply(`${what} cancelled.`);
      await conversation.halt();
    }
    if (everyTextAnswers) return { ctx, text };
    if (command === 'login' || command === 'spotify') await conversation.halt({ next: true });
    if (command !== undefined) {
      await conversation.skip({ next: true });
      continue;
    }
    return { ctx, text };
  }
}

/** Deletes the owner's message (it held a secret); a failure is reported, not fatal. */
export async function deleteSecretMessage(ctx: Context): Promise<void> {
  try {
    await ctx.deleteMessage();
  } catch {
    await ctx.reply('I could not delete your message: please delete it yourself.');
  }
}
