/**
 * A Spotify link becomes a job at once (the list is read, nothing is sent to Telegram yet) and
 * the bot answers with what it found and [Start] [Dry run] [Cancel]. Asking first costs one tap
 * but lets the owner see a cut list (embed page: first 100 of 150) or a wrong link before any
 * message goes to the external bot from their account and its daily budget.
 */
import { Composer } from 'grammy';
import type { MessageEntity } from 'grammy/types';
import type { JobRecord } from '../../domain/job.js';
import type { SourceBackend } from '../../domain/track.js';
import { onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { errorText } from '../errors.js';
import { fitMessage, formatTrackLength, trackLabel, truncate } from '../format.js';
import { inlineKeyboard, linkPreviewButtons } from '../keyboards.js';
import { totalCount } from '../progress-view.js';

const LINK_PATTERN =
  /(?:https?:\/\/)?(?:open\.spotify\.com|play\.spotify\.com|spotify\.link|spotify\.app\.link)\/[^\s<>"')]+|spotify:(?:user:[^\s:]+:)?(?:playlist|album|track):[A-Za-z0-9]+/gi;

/** Spotify links in a message: in its text and behind text links, in order, without duplicates. */
export function extractSpotifyLinks(text: string, entities: MessageEntity[] = []): string[] {
  const found: string[] = [];
  for (const e of entities) if (e.type === 'text_link') found.push(...(e.url.match(LINK_PATTERN) ?? []));
  found.push(...(text.match(LINK_PATTERN) ?? []));
  return [...new Set(found.map((l) => (/^(?:https?:|spotify:)/i.test(l) ? l : `https://${l}`)))];
}

const BACKEND_TEXT: Record<SourceBackend, string> = {
  user: 'your Spotify login',
  embed: 'public embed page (no login)',
  web: "Spotify's web player API (SPOTIFY_WEB_PLAYLISTS)",
  file: 'a track list file',
  catalog: 'Spotify catalog (app credentials)',
};

export function previewText(job: JobRecord, listed: number): string {
  const lines = [
    `🎵 ${truncate(job.name, 80)} (${job.sourceType})`,
    `${listed} track${listed === 1 ? '' : 's'}${job.total > listed ? ` of ${job.total}` : ''} · read via ${BACKEND_TEXT[job.backend]}`,
  ];
  for (const w of job.warnings) lines.push(`⚠️ ${w}`);
  if (job.total > listed && job.backend === 'embed') lines.push('Log in with /spotify to read the whole list of your own playlists.');
  lines.push(`Job #${job.id} is ready. Start asks the external bot for each track; Dry run only lists them.`);
  return lines.join('\n');
}

export function createLinkFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service, settings, progress } = deps;

  composer.on(['message:text', 'message:caption'], async (ctx, next) => {
    const text = ctx.message.text ?? ctx.message.caption ?? '';
    const links = extractSpotifyLinks(text, ctx.message.entities ?? ctx.message.caption_entities ?? []);
    if (links.length === 0) return next();
    for (const link of links) {
      try {
        const { quality, batchSize } = settings.get();
        const job = await service.createJob(link, { quality, batchSize });
        const { counts } = service.progress(job.id);
        ctx.logger.info({ jobId: job.id, status: job.status }, 'link read');
        if (job.status === 'pending' && !job.startedAt) {
          await ctx.reply(previewText(job, totalCount(counts)), { reply_markup: inlineKeyboard(linkPreviewButtons(job.id)) });
        } else {
          // The same link is already an unfinished job: show that job's message instead of a second one.
          const sent = await ctx.reply(`This link is already job #${job.id} (${job.status}).`);
          await progress.attach(job.id, { chatId: sent.chat.id, messageId: sent.message_id });
        }
      } catch (err) {
        ctx.logger.info({ err }, 'link refused');
        await ctx.reply(`Could not use ${truncate(link, 80)}:\n${errorText(err, deps.secrets)}`);
      }
    }
  });

  onCallback(composer, ['start'], async (ctx, { id }) => {
    const message = ctx.callbackQuery.message;
    if (message) await progress.attach(id, { chatId: message.chat.id, messageId: message.message_id });
    service.start(id);
    progress.touch(id);
    return 'Started';
  });

  onCallback(composer, ['dryRun'], async (ctx, { id }) => {
    const { job } = service.progress(id);
    const listing = await service.preview(job.link);
    const lines = [
      `Dry run of job #${job.id}: ${listing.tracks.length} track${listing.tracks.length === 1 ? '' : 's'} would be requested.`,
      ...listing.warnings.map((w) => `⚠️ ${w}`),
      ...listing.tracks.map((t) => `${t.position}. ${trackLabel(t, 70)} [${formatTrackLength(t.durationMs)}]`),
    ];
    await ctx.reply(fitMessage(lines));
    return 'Nothing was sent to Telegram';
  });

  return composer;
}
