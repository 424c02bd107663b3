/**
 * The text and buttons of a job's progress message, as a pure function of plain data so it can
 * be table-tested and so the bot can skip an edit when nothing visible changed.
 */
import type { JobRecord, JobStatus, TrackCounts, TrackRecord } from '../domain/job.js';
import type { PacerState } from '../engine/ports.js';
import type { CallbackAction } from './callback-data.js';
import { formatBytes, formatDuration, trackLabel, truncate } from './format.js';

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

  lines.push(`${truncate(job.name, 80)} · job #${job.id}`);
  lines.push(
    job.status === 'paused' && job.pauseReason
      ? `${STATUS_TEXT.paused}: ${truncate(job.pauseReason, 120)}`
      : STATUS_TEXT[job.status],
  );
  lines.push(`${progressBar(finished, total)} (${finished}/${total})`);

  const found = counts.done + counts.skipped;
  const parts = [`✅ ${found} found`];
  if (counts.skipped > 0) parts[0] += ` (${counts.skipped} already had)`;
  parts.push(`❔ ${counts.not_found} not found`, `⚠️ ${counts.mismatch} mismatch`, `❌ ${counts.failed} failed`);
  lines.push(parts.join(' · '));

  if (input.inFlight.length > 0) {
    lines.push(`In flight (${input.inFlight.length}):`);
    for (const track of input.inFlight.slice(0, MAX_IN_FLIGHT_LINES)) {
      const bytes = input.trackBytes?.get(track.id);
      const size =
        track.state === 'downloading' && bytes && bytes.totalBytes > 0
          ? ` ${formatBytes(bytes.receivedBytes)}/${formatBytes(bytes.totalBytes)}`
          : '';
      lines.push(`  ${track.position}. ${trackLabel(track, 50)} — ${track.state}${size}`);
    }
    if (input.inFlight.length > MAX_IN_FLIGHT_LINES) {
      lines.push(`  … and ${input.inFlight.length - MAX_IN_FLIGHT_LINES} more`);
    }
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

export function progressButtons(job: JobRecord, counts: TrackCounts): ButtonSpec[][] {
  const rows: ButtonSpec[][] = [];
  const control: ButtonSpec[] = [];
  if (job.status === 'running' || job.status === 'pending') control.push({ text: '⏸ Pause', action: 'pause', id: job.id });
  if (job.status === 'paused' || job.status === 'failed') control.push({ text: '▶️ Resume', action: 'resume', id: job.id });
  if (job.status === 'running' || job.status === 'pending' || job.status === 'paused') {
    control.push({ text: '✖️ Cancel', action: 'cancel', id: job.id });
  }
  if (control.length > 0) rows.push(control);
  const extra: ButtonSpec[] = [];
  if (counts.failed > 0 && job.status !== 'cancelled') {
    extra.push({ text: `🔁 Retry failed (${counts.failed})`, action: 'retryFailed', id: job.id });
  }
  const missing = counts.not_found + counts.mismatch;
  if (missing > 0) extra.push({ text: `🔎 Missing (${missing})`, action: 'missing', id: job.id });
  if (extra.length > 0) rows.push(extra);
  return rows;
}
