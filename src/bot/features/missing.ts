/**
 * /missing [job]: the tracks that need the owner — not found, mismatch, failed — with their
 * positions, a page at a time; tracks not asked for yet are not missing and are only counted.
 * Per track the owner can retry it, accept the quarantined file, or choose a row of the external
 * bot's menu by hand (the engine remembers that choice for the track).
 */
import { Composer } from 'grammy';
import type { JobRecord, TrackRecord, TrackState } from '../../domain/job.js';
import { UserError } from '../../domain/errors.js';
import { commandNumber, onCallback } from '../callbacks.js';
import type { BotContext, BotDeps } from '../context.js';
import { formatTrackLength, titleFirstLabel, trackLabel, truncate } from '../format.js';
import { isReady, stateSentence } from '../job-state.js';
import { inlineKeyboard } from '../keyboards.js';
import { pageSlice, pagerRow } from '../paging.js';
import { PHONE_LINE, type ButtonSpec, type MessageView } from '../progress-view.js';
import { askToLogIn, sessionProblem } from '../session-gate.js';
import { editInPlace } from './link.js';

const MAX_MENU_ROWS = 20;
export const MISSING_PAGE_SIZE = 8;

/** Each state in chat words (never the raw name). */
export const TRACK_STATE_WORDS: Record<TrackState, string> = {
  queued: 'not asked for yet',
  requested: 'asked, waiting for the bot',
  picked: 'picked from the bot’s menu',
  downloading: 'downloading',
  verifying: 'checking the file',
  done: 'downloaded',
  skipped: 'already in your library',
  not_found: 'not found',
  mismatch: 'file did not match',
  failed: 'failed',
};

const MARK: Partial<Record<TrackState, string>> = { not_found: '❔', mismatch: '⚠️', failed: '❌' };

/** The other tracks in one line: what they are doing, so "missing" never means "not started". */
function othersLine(job: JobRecord, all: TrackRecord[]): string | null {
  const count = (states: TrackState[]) => all.filter((t) => states.includes(t.state)).length;
  const notAsked = count(['queued']);
  const inFlight = count(['requested', 'picked', 'downloading', 'verifying']);
  const parts: string[] = [];
  if (notAsked > 0) parts.push(`${notAsked} not asked for yet`);
  if (inFlight > 0) parts.push(`${inFlight} ${job.status === 'running' ? 'in flight' : 'asked before the pause'}`);
  return parts.length > 0 ? `Not missing: ${parts.join(', ')}.` : null;
}

export function missingView(job: JobRecord, missing: TrackRecord[], all: TrackRecord[], page = 0): MessageView {
  const title = `Job #${job.id} ${truncate(job.name, PHONE_LINE - 12)}`;
  const others = othersLine(job, all);
  if (missing.length === 0) {
    const why = isReady(job) ? 'It was not started yet: Start on its message asks the bot.' : 'Nothing needs you.';
    return { text: [title, why, ...(others && !isReady(job) ? [others] : [])].join('\n'), buttons: [] };
  }
  const slice = pageSlice(missing, page, MISSING_PAGE_SIZE);
  const lines = [title, `${missing.length} track${missing.length === 1 ? '' : 's'} need${missing.length === 1 ? 's' : ''} you:`, '❔ not found ⚠️ mismatch ❌ failed'];
  if (slice.pages > 1) lines.push(`(${slice.from}–${slice.to} of ${missing.length})`);
  for (const t of slice.items) {
    const head = `${MARK[t.state] ?? '•'} ${t.position}. `;
    lines.push(`${head}${titleFirstLabel(t, PHONE_LINE - [...head].length)}`);
  }
  if (others) lines.push(others);
  lines.push('Tap one to retry it, accept its file, or pick from the bot’s menu.');
  const buttons: ButtonSpec[][] = [];
  for (let i = 0; i < slice.items.length; i += 2) {
    buttons.push(
      slice.items.slice(i, i + 2).map((t) => ({ text: truncate(`${t.position}. ${t.title}`, 18), action: 'trackDetail' as const, id: t.id })),
    );
  }
  const pager = pagerRow('missingPage', job.id, slice);
  if (pager.length > 0) buttons.push(pager);
  return { text: lines.join('\n'), buttons };
}

export function trackDetailView(track: TrackRecord): MessageView {
  const lines = [
    `${track.position}. ${trackLabel(track, 100)} [${formatTrackLength(track.durationMs)}]`,
    `State: ${TRACK_STATE_WORDS[track.state]}${track.attempts ? ` after ${track.attempts} attempt${track.attempts === 1 ? '' : 's'}` : ''}`,
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

  /** A track of a cancelled job stays as it is: the job is over. */
  const refuseIfCancelled = (jobId: number): void => {
    const { job } = service.progress(jobId);
    if (job.status === 'cancelled') throw new UserError(stateSentence(job));
  };

  const viewFor = (job: JobRecord, page: number) => missingView(job, service.missing(job.id), service.tracks(job.id), page);

  const showMissing = async (ctx: BotContext, jobId: number | null) => {
    let job: JobRecord | undefined;
    if (jobId !== null) {
      job = service.listJobs().find((j) => j.id === jobId);
      if (!job) throw new UserError(`There is no job #${jobId}.`, '/jobs lists your jobs.');
    } else job = [...service.listJobs()].sort((a, b) => b.id - a.id).find((j) => service.missing(j.id).length > 0);
    if (!job) return void (await ctx.reply('Nothing is missing in any job.'));
    const view = viewFor(job, 0);
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

  onCallback(composer, ['missingPage'], async (ctx, { id, arg }) => {
    await editInPlace(ctx, viewFor(service.progress(id).job, arg ?? 0));
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
    refuseIfCancelled(findTrack(id).jobId);
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
    refuseIfCancelled(findTrack(id).jobId);
    // Asking for the menu is a message to the bot: not without a session (and not charged then).
    const problem = await sessionProblem(service);
    if (problem) return (await askToLogIn(ctx, deps.loginNotice, problem, 'the bot’s menu')).toast;
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
