/**
 * /missing [job]: the not_found and mismatch tracks with their positions; per track the owner can
 * retry it, accept the quarantined file, or choose a row of the external bot's menu by hand (the
 * engine remembers that choice for the track).
 */
import { Composer } from 'grammy';
import type { JobRecord, TrackRecord } from '../../domain/job.js';
import { UserError } from '../../domain/errors.js';
import { commandNumber, onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { fitMessage, formatTrackLength, trackLabel, truncate } from '../format.js';
import { inlineKeyboard } from '../keyboards.js';
import type { ButtonSpec, MessageView } from '../progress-view.js';

const MAX_TRACK_BUTTONS = 30;
const MAX_MENU_ROWS = 20;

export function missingView(job: JobRecord, tracks: TrackRecord[]): MessageView {
  if (tracks.length === 0) return { text: `Job #${job.id} ${truncate(job.name, 60)}: nothing is missing.`, buttons: [] };
  const lines = [`Job #${job.id} ${truncate(job.name, 60)}: ${tracks.length} track${tracks.length === 1 ? '' : 's'} need you.`];
  for (const t of tracks) {
    const why = t.state === 'mismatch' ? 'mismatch' : 'not found';
    lines.push(`${t.position}. ${trackLabel(t, 60)} [${formatTrackLength(t.durationMs)}] — ${why}${t.lastError ? `: ${truncate(t.lastError, 80)}` : ''}`);
  }
  lines.push('', 'Tap a track to retry it, accept its file, or pick from the bot’s menu.');
  const buttons: ButtonSpec[][] = [];
  const shown = tracks.slice(0, MAX_TRACK_BUTTONS);
  for (let i = 0; i < shown.length; i += 2) {
    buttons.push(
      shown.slice(i, i + 2).map((t) => ({ text: truncate(`${t.position}. ${t.title}`, 30), action: 'trackDetail' as const, id: t.id })),
    );
  }
  return { text: fitMessage(lines), buttons };
}

export function trackDetailView(track: TrackRecord): MessageView {
  const lines = [
    `${track.position}. ${trackLabel(track, 100)} [${formatTrackLength(track.durationMs)}]`,
    `State: ${track.state}${track.attempts ? ` after ${track.attempts} attempt${track.attempts === 1 ? '' : 's'}` : ''}`,
  ];
  if (track.album) lines.push(`Album: ${truncate(track.album, 80)}`);
  if (track.lastError) lines.push(`Why: ${truncate(track.lastError, 200)}`);
  if (track.pickedRow) lines.push(`Picked row: ${truncate(track.pickedRow, 100)}`);
  if (track.rememberedChoice) lines.push(`Your choice: ${truncate(track.rememberedChoice, 100)}`);
  if (track.quarantinePath) lines.push(`File in quarantine: ${track.quarantinePath}`);
  const row: ButtonSpec[] = [{ text: '🔁 Retry', action: 'retryTrack', id: track.id }];
  if (track.quarantinePath) row.push({ text: '✅ Accept file', action: 'acceptFile', id: track.id });
  row.push({ text: '📋 Pick from menu', action: 'menuRows', id: track.id });
  return { text: lines.join('\n'), buttons: [row] };
}

export function createMissingFeature(deps: BotDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const { service, progress } = deps;
  // The rows shown for a track, so a button can carry an index instead of the row text.
  const shownRows = new Map<number, string[]>();

  const findTrack = (trackId: number): TrackRecord => {
    for (const job of service.listJobs()) {
      const track = service.missing(job.id).find((t) => t.id === trackId);
      if (track) return track;
    }
    throw new UserError('That track is no longer missing (retried or fixed already).');
  };

  const showMissing = async (ctx: BotContext, jobId: number | null) => {
    let job: JobRecord | undefined;
    if (jobId !== null) job = service.progress(jobId).job;
    else job = [...service.listJobs()].sort((a, b) => b.id - a.id).find((j) => service.missing(j.id).length > 0);
    if (!job) return void (await ctx.reply('Nothing is missing in any job.'));
    const view = missingView(job, service.missing(job.id));
    await ctx.reply(view.text, view.buttons.length ? { reply_markup: inlineKeyboard(view.buttons) } : {});
  };

  composer.command('missing', async (ctx) => {
    const id = commandNumber(ctx.match);
    if (id === null && ctx.match.trim()) throw new UserError('Use /missing or /missing <job number>, e.g. /missing 12.');
    await showMissing(ctx, id);
  });

  onCallback(composer, ['missing'], async (ctx, { id }) => {
    await showMissing(ctx, id);
  });

  onCallback(composer, ['trackDetail'], async (ctx, { id }) => {
    const view = trackDetailView(findTrack(id));
    await ctx.reply(view.text, { reply_markup: inlineKeyboard(view.buttons) });
  });

  /** A track queued again in a job that does not run (finished or paused) waits for a Resume: say so. */
  const waitsForResume = (jobId: number): boolean => {
    const { status } = service.progress(jobId).job;
    return status !== 'running' && status !== 'pending';
  };

  onCallback(composer, ['retryTrack'], async (_ctx, { id }) => {
    const track = await service.retryTrack(id);
    progress.touch(track.jobId);
    return waitsForResume(track.jobId) ? `Queued again; /resume ${track.jobId} fetches it` : 'Queued again';
  });

  onCallback(composer, ['acceptFile'], async (ctx, { id }) => {
    const track = await service.acceptQuarantined(id);
    progress.touch(track.jobId);
    await ctx.reply(`Accepted: ${trackLabel(track, 80)}${track.filePath ? `\nStored as ${track.filePath}` : ''}`);
    return 'Accepted';
  });

  onCallback(composer, ['menuRows'], async (ctx, { id }) => {
    const rows = (await service.menuRows(id)).slice(0, MAX_MENU_ROWS);
    if (rows.length === 0) return 'The bot offered no rows for this track';
    shownRows.set(id, rows);
    const buttons = rows.map((row, i): ButtonSpec[] => [{ text: truncate(row, 60), action: 'chooseRow', id, arg: i }]);
    await ctx.reply(`The bot’s menu for this track (${rows.length} row${rows.length === 1 ? '' : 's'}). Tap the right one:`, {
      reply_markup: inlineKeyboard(buttons),
    });
  });

  onCallback(composer, ['chooseRow'], async (ctx, { id, arg }) => {
    const rows = shownRows.get(id) ?? (await service.menuRows(id));
    const row = arg === null ? undefined : rows[arg];
    if (row === undefined) throw new UserError('That menu is outdated: tap “Pick from menu” again.');
    const track = await service.chooseRow(id, row);
    progress.touch(track.jobId);
    const next = waitsForResume(track.jobId) ? ` Job #${track.jobId} is paused: /resume ${track.jobId} (or Resume on its message) fetches it.` : '';
    await ctx.reply(`Remembered “${truncate(row, 80)}” for ${trackLabel(track, 60)}; it is queued again.${next}`);
    return 'Choice remembered';
  });

  return composer;
}
