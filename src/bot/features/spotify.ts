/**
 * /spotify: Authorization Code + PKCE on a headless server. The owner opens the link on the phone,
 * approves, and pastes back the address the browser ends on (a 127.0.0.1 page that does not load —
 * expected). That URL holds a one-time code, so the message is deleted.
 */
import { createConversation } from '@grammyjs/conversations';
import { Composer, InlineKeyboard, type Context, type MiddlewareFn } from 'grammy';
import type { BotContext, BotDeps } from '../context.js';
import { attempt, deleteSecretMessage, waitForText, type BotConversation, type ConversationPlugins } from './conversation-kit.js';

export const SPOTIFY_CONVERSATION = 'spotify-login';
const MAX_TRIES = 3;

export function createSpotifyConversation(deps: BotDeps, plugins: ConversationPlugins): MiddlewareFn<BotContext> {
  const { spotify, secrets, logger, config } = deps;

  async function spotifyLogin(conversation: BotConversation, ctx: Context): Promise<void> {
    const url = await conversation.external(() => spotify.authorizeUrl());
    await ctx.reply(
      [
        '1. Open the link below and approve Crate.',
        `2. Your browser then goes to ${config.spotify.redirectUri}?code=… and shows an error page: that is expected.`,
        '3. Copy that whole address and paste it here. I delete your message at once.',
        '/cancel stops.',
      ].join('\n'),
      { reply_markup: new InlineKeyboard().url('Log in to Spotify', url) },
    );
    for (let i = 0; i < MAX_TRIES; i++) {
      const { ctx: answer, text } = await waitForText(conversation, 'Spotify login');
      await deleteSecretMessage(answer);
      const pasted = text.trim();
      if (!/[?&]code=/.test(pasted) && !/[?&]error=/.test(pasted)) {
        await ctx.reply('That is not the address I need: it contains “?code=”. Paste the whole address from the browser.');
        continue;
      }
      const outcome = await conversation.external(async () => {
        const result = await attempt(() => spotify.completeFromRedirect(pasted), secrets);
        logger.info({ ok: result.ok }, 'spotify login');
        return result;
      });
      if (outcome.ok) {
        await ctx.reply('✅ Spotify is connected: your own and collaborative playlists are read in full, with ISRC.');
        return;
      }
      await ctx.reply(outcome.message);
    }
    await ctx.reply('Spotify login did not finish. Send /spotify to try again.');
  }

  return createConversation(spotifyLogin, { id: SPOTIFY_CONVERSATION, plugins, maxMillisecondsToWait: 15 * 60_000 });
}

export function createSpotifyFeature(): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.command('spotify', async (ctx) => {
    await ctx.conversation.exitAll();
    await ctx.conversation.enter(SPOTIFY_CONVERSATION);
  });
  return composer;
}
