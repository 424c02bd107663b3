/**
 * Playlist watch in the control bot: /watch LINK [every] follows a playlist, /watches shows one card
 * per watch with 🔄 Check now / ⏸ Pause / ▶️ Resume / 🗑 Stop, and ⏰ Watch on a finished playlist
 * job's notice follows that one. A manual check runs in the background (the press is answered at
 * once); its card is edited in place when it is done, and what it found comes as the watch's notice.
 */
import { Composer, type Api } from 'grammy';
import { UserError, errorMessage } from '../../domain/errors.js';
import { parseInterval, type WatchService } from '../../engine/watch-service.js';
import { commandNumber, onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { errorText } from '../errors.js';
import { inlineKeyboard } from '../keyboards.js';
import { isNotModified } from '../progress-messages.js';
import type { MessageView } from '../progress-view.js';
import { watchCard } from '../watch-views.js';
import { extractSpotifyLinks } from './link.js';

/** What the bot uses of the WatchService. */
export type WatchControl = Pick<WatchService, 'add' | 'list' | 'get' | 'remove' | 'setPaused' | 'check' | 'isWatchRun'>;

export interface WatchFeatureOptions {
  now?: () => number;
}

const MAX_CARDS = 10;

export function createWatchFeature(deps: BotDeps, watches: WatchControl, options: WatchFeatureOptions = {}): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const now = options.now ?? Date.now;
  const reply = (ctx: BotContext, view: MessageView) =>
    ctx.reply(view.text, view.buttons.length > 0 ? { reply_markup: inlineKeyboard(view.buttons) } : {});

  composer.command('watch', async (ctx) => {
    const tokens = ctx.match.trim().split(/\s+/).filter(Boolean);
    const linkAt = tokens.findIndex((t) => extractSpotifyLinks(t).length > 0);
    const link = linkAt >= 0 ? extractSpotifyLinks(tokens[linkAt] ?? '')[0] : undefined;
    const others = tokens.filter((_, i) => i !== linkAt);
    if (!link || others.length > 1) {
      throw new UserError('Send /watch with a playlist link, e.g. /watch https://open.spotify.com/playlist/… 6h', 'The interval is optional (default every 6h, at least 30m).');
    }
    const every = others[0] !== undefined ? parseInterval(others[0]) : undefined;
    await ctx.replyWithChatAction('typing').catch(() => undefined);
    const { watch, job, created } = await watches.add(link, every === undefined ? {} : { everyMs: every });
    const head = created
      ? `Watching it now. New tracks are downloaded into its folder; tracks that leave the playlist keep their files.${job.status === 'pending' ? ` Job #${job.id} downloads its ${job.total} tracks first.` : ''}`
      : 'You already watch this playlist.';
    const card = watchCard(watch, now());
    await reply(ctx, { text: `${head}\n\n${card.text}`, buttons: card.buttons });
  });

  composer.command('watches', async (ctx) => {
    const all = watches.list();
    if (all.length === 0) return void (await ctx.reply('You watch no playlist yet. /watch LINK follows one (checked every 6h; new tracks are downloaded).'));
    const id = commandNumber(ctx.match);
    const shown = id !== null ? [watches.get(id)] : all.slice(0, MAX_CARDS);
    for (const w of shown) await reply(ctx, watchCard(w, now()));
    if (id === null && all.length > MAX_CARDS) await ctx.reply(`… and ${all.length - MAX_CARDS} more: /watches <number> shows one.`);
  });

  onCallback(composer, ['watchCheck'], async (ctx, { id }) => {
    watches.get(id);
    const message = ctx.callbackQuery.message;
    const target = message ? { chatId: message.chat.id, messageId: message.message_id } : null;
    // In the background: reading Spotify may take longer than a button press may wait.
    void watches.check(id).then(
      (outcome) => (target ? editCard(ctx.api, target, watchCard(outcome.watch, now())) : undefined),
      async (err: unknown) => {
        ctx.logger.info({ err: errorMessage(err), watch: id }, 'manual watch check failed');
        if (!target) return;
        const w = (() => {
          try {
            return watches.get(id);
          } catch {
            return null;
          }
        })();
        const card = w ? watchCard(w, now()) : { text: '', buttons: [] };
        await editCard(ctx.api, target, { text: `${card.text}\n\n${errorText(err, deps.secrets)}`.trim(), buttons: card.buttons });
      },
    ).catch((err: unknown) => ctx.logger.warn({ err }, 'could not update the watch card'));
    return 'Checking…';
  });

  const setPaused = async (ctx: BotContext, id: number, paused: boolean) => {
    const w = watches.setPaused(id, paused);
    await editOrReply(ctx, watchCard(w, now()));
    return paused ? 'Paused: no checks until you resume' : 'Resumed';
  };
  onCallback(composer, ['watchPause'], (ctx, { id }) => setPaused(ctx, id, true));
  onCallback(composer, ['watchResume'], (ctx, { id }) => setPaused(ctx, id, false));

  onCallback(composer, ['watchStop'], async (ctx, { id }) => {
    const w = watches.get(id);
    watches.remove(id);
    await editOrReply(ctx, { text: `🗑 Stopped watching ${w.name} (watch #${w.id}). Its job${w.jobId !== null ? ` #${w.jobId}` : ''} and files stay.`, buttons: [] });
    return 'Stopped watching';
  });

  onCallback(composer, ['watchAdd'], async (ctx, { id }) => {
    const job = deps.service.progress(id).job;
    const { watch, created } = await watches.add(job.link);
    const card = watchCard(watch, now());
    await reply(ctx, { text: `${created ? 'Watching it now.' : 'You already watch this playlist.'}\n\n${card.text}`, buttons: card.buttons });
    return created ? 'Watching' : 'Already watched';
  });

  // The job of a watch's notice: its progress card, as a new message that follows the job from now on.
  onCallback(composer, ['watchJob'], async (ctx, { id }) => {
    const job = deps.service.progress(id).job;
    const sent = await ctx.reply(`Job #${job.id} ${job.name}`);
    await deps.progress.attach(job.id, { chatId: sent.chat.id, messageId: sent.message_id });
  });

  return composer;
}

async function editCard(api: Api, target: { chatId: number; messageId: number }, view: MessageView): Promise<void> {
  try {
    await api.editMessageText(target.chatId, target.messageId, view.text, { reply_markup: inlineKeyboard(view.buttons) });
  } catch (err) {
    if (!isNotModified(err)) throw err;
  }
}

async function editOrReply(ctx: BotContext, view: MessageView): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (message) return editCard(ctx.api, { chatId: message.chat.id, messageId: message.message_id }, view);
  await ctx.reply(view.text, { reply_markup: inlineKeyboard(view.buttons) });
}
