/**
 * The text and buttons of a job's progress message, as a pure function of plain data so it can
 * be table-tested and so the bot can skip an edit when nothing visible changed.
 */
import type { JobRecord, JobStatus, TrackCounts, TrackRecord } from '../domain/job.js';
import type { PacerState } from '../engine/ports.js';
import type { CallbackAction } from './callback-data.js';
import { toChatWords } from './chat-words.js';
import { formatBytes, formatDuration, truncate } from './format.js';
import { waitsForLogin } from './job-state.js';

export interface ButtonSpec {
  text: string;
  action: CallbackAction;
  id: number;
  arg?: number;
}

export interface MessageView {
  text: string;
  buttons: ButtonSpec[][];
}

export interface ProgressInput {
  job: JobRecord;
  counts: TrackCounts;
  inFlight: TrackRecord[];
  receivedBytes: number;
  etaSeconds: number | null;
  /** Null when the pacer state is unknown (e.g. the service could not be asked). */
  pacer: PacerState | null;
  /** Bytes of tracks being downloaded, from the `bytes` events. */
  trackBytes?: ReadonlyMap<number, { receivedBytes: number; totalBytes: number }>;
  now: number;
}

export const PROGRESS_BAR_WIDTH = 16;
const MAX_IN_FLIGHT_LINES = 5;
/** A phone shows about this many characters on a line; the lines we control stay within it. */
export const PHONE_LINE = 35;

const TRACK_STATE_TEXT: Partial<Record<TrackRecord['state'], string>> = {
  requested: 'asked',
  picked: 'picked',
  downloading: 'downloading',
  verifying: 'checking',
};

const STATUS_TEXT: Record<JobStatus, string> = {
  pending: '🕒 queued',
  running: '⬇️ running',
  paused: '⏸ paused',
  done: '✅ finished',
  cancelled: '✖️ cancelled',
  failed: '❌ failed',
};

export function progressBar(done: number, total: number, width = PROGRESS_BAR_WIDTH): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(ratio * width);
  return `${'▓'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.floor(ratio * 100)}%`;
}

export function finishedCount(counts: TrackCounts): number {
  return counts.done + counts.skipped + counts.not_found + counts.mismatch + counts.failed;
}

export function totalCount(counts: TrackCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

export function renderProgress(input: ProgressInput): MessageView {
  const { job, counts } = input;
  const total = totalCount(counts) || job.total;
  const finished = finishedCount(counts);
  const lines: string[] = [];

  lines.push(`${truncate(job.name, PHONE_LINE - 10)} · job #${job.id}`);
  if (waitsForLogin(job)) lines.push('⏸ waiting for you to /login');
  else lines.push(job.status === 'paused' && job.pauseReason ? `${STATUS_TEXT.paused}: ${truncate(toChatWords(job.pauseReason), 120)}` : STATUS_TEXT[job.status]);
  lines.push(`${progressBar(finished, total)} (${finished}/${total})`);
  lines.push(...countLines(counts));

  // Only a running job has tracks in flight. A paused one keeps each track's step (it is checked
  // first on Resume); a finished or cancelled one has nothing in flight at all.
  if (job.status === 'running' && input.inFlight.length > 0) {
    lines.push(`In flight (${input.inFlight.length}):`);
    for (const track of input.inFlight.slice(0, MAX_IN_FLIGHT_LINES)) {
      const bytes = input.trackBytes?.get(track.id);
      const state =
        track.state === 'downloading' && bytes && bytes.totalBytes > 0
          ? bytePair(bytes.receivedBytes, bytes.totalBytes)
          : (TRACK_STATE_TEXT[track.state] ?? track.state);
      // The title alone: with the artist it would not fit a phone line.
      lines.push(`${track.position}. ${truncate(track.title, Math.max(12, PHONE_LINE - String(track.position).length - state.length - 5))} · ${state}`);
    }
    if (input.inFlight.length > MAX_IN_FLIGHT_LINES) {
      lines.push(`… and ${input.inFlight.length - MAX_IN_FLIGHT_LINES} more`);
    }
  } else if (job.status === 'paused' && input.inFlight.length > 0) {
    const n = input.inFlight.length;
    lines.push(`${n} track${n === 1 ? '' : 's'} asked for before the pause`);
  }

  const tail: string[] = [];
  if (input.receivedBytes > 0) tail.push(`received ${formatBytes(input.receivedBytes)}`);
  const active = job.status === 'running' || job.status === 'pending';
  if (active && input.etaSeconds !== null && input.etaSeconds > 0) tail.push(`ETA ${formatDuration(input.etaSeconds)}`);
  if (tail.length > 0) lines.push(tail.join(' · '));

  if (active && input.pacer) {
    const pacerLine = describePacer(input.pacer, input.now);
    if (pacerLine) lines.push(pacerLine);
  }

  return { text: lines.join('\n'), buttons: progressButtons(job, counts) };
}

/** The pacer line: only what the owner can act on or should know (a wait, the budget running low). */
export function describePacer(pacer: PacerState, now: number): string | null {
  const parts: string[] = [];
  if (pacer.floodUntil !== null && pacer.floodUntil > now) {
    parts.push(pacer.describe || `waiting ${formatDuration((pacer.floodUntil - now) / 1000)}: Telegram flood limit`);
  } else if (pacer.describe) {
    parts.push(pacer.describe);
  }
  parts.push(`${pacer.sentToday}/${pacer.dailyBudget} messages today`);
  return `Pacer: ${parts.join(' · ')}`;
}

/** "10/40 MB": both in the unit of the total. */
export function bytePair(received: number, total: number): string {
  const [value, unit] = formatBytes(total).split(' ');
  const scale = total / Number(value);
  return `${Math.min(Number(value), Math.round(received / scale))}/${value} ${unit}`;
}

/** The counts on two short lines (one long line wraps on a phone). */
export function countLines(counts: TrackCounts): string[] {
  const found = counts.done + counts.skipped;
  return [
    `✅ ${found} found${counts.skipped > 0 ? ` (${counts.skipped} had)` : ''} · ❔ ${counts.not_found} not found`,
    `⚠️ ${counts.mismatch} mismatch · ❌ ${counts.failed} failed`,
  ];
}

export function progressButtons(job: JobRecord, counts: TrackCounts): ButtonSpec[][] {
  const rows: ButtonSpec[][] = [];
  const control: ButtonSpec[] = [];
  if (job.status === 'running' || job.status === 'pending') control.push({ text: '⏸ Pause', action: 'pause', id: job.id });
  // Resume cannot help a job that waits for the session: the button logs in instead.
  if (waitsForLogin(job)) control.push({ text: '🔑 Log in', action: 'login', id: job.id });
  else if (job.status === 'paused' || job.status === 'failed') control.push({ text: '▶️ Resume', action: 'resume', id: job.id });
  if (job.status === 'running' || job.status === 'pending' || job.status === 'paused') {
    control.push({ text: '✖️ Cancel', action: 'cancel', id: job.id });
  }
  if (control.length > 0) rows.push(control);
  const extra: ButtonSpec[] = [];
  if (counts.failed > 0 && job.status !== 'cancelled') {
    extra.push({ text: `🔁 Retry failed (${counts.failed})`, action: 'retryFailed', id: job.id });
  }
  // What /missing lists: not found, mismatch and failed.
  const missing = counts.not_found + counts.mismatch + counts.failed;
  if (missing > 0) extra.push({ text: `🔎 Missing (${missing})`, action: 'missing', id: job.id });
  if (extra.length > 0) rows.push(extra);
  return rows;
}
