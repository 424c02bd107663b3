/**
 * A Spotify link becomes a job at once (the list is read, nothing is sent to Telegram yet) and
 * the bot answers with a short preview and [Start] [List tracks] [Cancel]. Asking first costs one
 * tap but lets the owner see a cut list (embed page: first 100 of 150) or a wrong link before any
 * message goes to the external bot from their account and its daily budget. The preview is the
 * job's one card: Start turns it into the progress message.
 */
import { Composer } from 'grammy';
import type { MessageEntity } from 'grammy/types';
import type { JobRecord, TrackRecord } from '../../domain/job.js';
import type { SourceBackend } from '../../domain/track.js';
import { onCallback } from '../callbacks.js';
import { toChatWords } from '../chat-words.js';
import type { BotContext, BotDeps } from '../context.js';
import { errorText } from '../errors.js';
import { formatTrackLength, titleFirstLabel, truncate } from '../format.js';
import { isReady, stateSentence, stateWords } from '../job-state.js';
import { inlineKeyboard, linkPreviewButtons } from '../keyboards.js';
import { pageSlice, pagerRow } from '../paging.js';
import { PHONE_LINE, totalCount, type MessageView } from '../progress-view.js';
import { askToLogIn, sessionProblem } from '../session-gate.js';

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
  user: 'Read via your Spotify login',
  embed: 'Read from the public page',
  web: "Read via Spotify's web player API",
  file: 'Read from a track list file',
  catalog: 'Read from the Spotify catalog',
};

const TYPE_TEXT: Record<JobRecord['sourceType'], string> = { playlist: 'Playlist', album: 'Album', track: 'Track' };

/** At most six short lines: a phone shows them without scrolling. The notes are one tap away. */
export function previewText(job: JobRecord, listed: number): string {
  const count = `${listed}${job.total > listed ? ` of ${job.total}` : ''} track${job.total === 1 ? '' : 's'}`;
  const lines = [`🎵 ${truncate(job.name, PHONE_LINE - 3)}`, `${TYPE_TEXT[job.sourceType]} · ${count}`, BACKEND_TEXT[job.backend]];
  if (job.warnings.length > 0) lines.push(`⚠️ ${job.warnings.length} note${job.warnings.length === 1 ? '' : 's'}: tap Notes`);
  if (job.total > listed && job.backend === 'embed') lines.push('/spotify reads your own in full');
  lines.push(`Job #${job.id} is ready.`);
  return lines.join('\n');
}

export const LIST_PAGE_SIZE = 10;

/** "12. Title – Artist 3:45", cut to a phone line. */
export function trackRow(t: Pick<TrackRecord, 'position' | 'artists' | 'title' | 'durationMs'>): string {
  const length = formatTrackLength(t.durationMs);
  const head = `${t.position}. `;
  return `${head}${titleFirstLabel(t, Math.max(8, PHONE_LINE - head.length - length.length - 1))} ${length}`;
}

/** One page of the job's tracks, with ◀ ▶ to the others. */
export function trackListView(job: JobRecord, tracks: TrackRecord[], page: number): MessageView {
  const slice = pageSlice(tracks, page, LIST_PAGE_SIZE);
  const lines = [
    `📋 ${truncate(job.name, PHONE_LINE - 12)} · job #${job.id}`,
    slice.pages > 1 ? `Tracks ${slice.from}–${slice.to} of ${tracks.length}` : `${tracks.length} track${tracks.length === 1 ? '' : 's'}`,
    ...slice.items.map(trackRow),
  ];
  if (isReady(job)) lines.push('', 'Nothing was sent to the bot yet.');
  const pager = pagerRow('listPage', job.id, slice);
  return { text: lines.join('\n'), buttons: pager.length ? [pager] : [] };
}

export function notesView(job: JobRecord): MessageView {
  const lines = [`ℹ️ Notes on job #${job.id}`, ...job.warnings.map((w) => `• ${truncate(toChatWords(w), 400)}`)];
  if (job.warnings.length === 0) lines.push('None.');
  return { text: lines.join('\n'), buttons: [] };
}

export function createLinkFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service, settings, progress } = deps;

  /** The link is already this unfinished job: point at its one card instead of making a second. */
  const showExisting = async (ctx: BotContext, job: JobRecord) => {
    const card = progress.messageOf(job.id);
    const reply = (text: string) =>
      ctx.reply(text, card ? { reply_parameters: { message_id: card.messageId, allow_sending_without_reply: true } } : {});
    if (isReady(job)) {
      if (card) return void (await reply(`This link is already job #${job.id}, ready: press Start on its message.`));
      const { counts } = service.progress(job.id);
      const sent = await ctx.reply(previewText(job, totalCount(counts)), { reply_markup: inlineKeyboard(linkPreviewButtons(job.id, job.warnings.length)) });
      progress.adopt(job.id, { chatId: sent.chat.id, messageId: sent.message_id });
      return;
    }
    if (card) return void (await reply(`This link is already job #${job.id} (${stateWords(job)}): its progress is in this message.`));
    await ctx.reply(`This link is already job #${job.id} (${stateWords(job)}). Its progress follows.`);
    await progress.sendNew(job.id);
  };

  composer.on(['message:text', 'message:caption'], async (ctx, next) => {
    const text = ctx.message.text ?? ctx.message.caption ?? '';
    const links = extractSpotifyLinks(text, ctx.message.entities ?? ctx.message.caption_entities ?? []);
    if (links.length === 0) return next();
    for (const link of links) {
      try {
        const { quality, batchSize } = settings.get();
        const known = new Set(service.listJobs().map((j) => j.id));
        const job = await service.createJob(link, { quality, batchSize });
        ctx.logger.info({ jobId: job.id, status: job.status }, 'link read');
        if (known.has(job.id)) {
          await showExisting(ctx, job);
          continue;
        }
        const { counts } = service.progress(job.id);
        const sent = await ctx.reply(previewText(job, totalCount(counts)), {
          reply_markup: inlineKeyboard(linkPreviewButtons(job.id, job.warnings.length)),
        });
        // The preview is the job's card from the start: /cancel, Start and a re-sent link all find it.
        progress.adopt(job.id, { chatId: sent.chat.id, messageId: sent.message_id });
      } catch (err) {
        ctx.logger.info({ err }, 'link refused');
        await ctx.reply(`Could not use ${truncate(link, 80)}:\n${errorText(err, deps.secrets)}`);
      }
    }
  });

  onCallback(composer, ['start'], async (ctx, { id }) => {
    const { job } = service.progress(id);
    // Buttons stay in old messages: a cancelled or finished job answers with its state.
    if (job.status !== 'pending') return stateSentence(job);
    const problem = await sessionProblem(service);
    if (problem) return (await askToLogIn(ctx, deps.loginNotice, problem, `job #${id}`)).toast;
    const message = ctx.callbackQuery.message;
    if (message) await progress.attach(id, { chatId: message.chat.id, messageId: message.message_id });
    service.start(id);
    progress.touch(id);
    return 'Started';
  });

  onCallback(composer, ['listTracks'], async (ctx, { id }) => {
    const { job } = service.progress(id);
    const view = trackListView(job, service.tracks(id), 0);
    await ctx.reply(view.text, view.buttons.length ? { reply_markup: inlineKeyboard(view.buttons) } : {});
    return 'Nothing was sent to Telegram';
  });

  onCallback(composer, ['listPage'], async (ctx, { id, arg }) => {
    const { job } = service.progress(id);
    const view = trackListView(job, service.tracks(id), arg ?? 0);
    await editInPlace(ctx, view);
  });

  onCallback(composer, ['notes'], async (ctx, { id }) => {
    const view = notesView(service.progress(id).job);
    await ctx.reply(view.text);
  });

  return composer;
}

/** A page button edits its own message; pressing the page shown changes nothing and that is fine. */
export async function editInPlace(ctx: BotContext, view: MessageView): Promise<void> {
  try {
    await ctx.editMessageText(view.text, { reply_markup: inlineKeyboard(view.buttons) });
  } catch (err) {
    if (!(err instanceof Error && /message is not modified/i.test(err.message))) throw err;
  }
}
