/**
 * What the control bot shows for playlist watches: one card per watch (/watches), the notice of a
 * check that found something, and the notice of a postponed check. Pure: data in, text and buttons out.
 */
import { formatInterval } from '../domain/interval.js';
import type { JobRecord } from '../domain/job.js';
import type { JobEvent } from '../engine/ports.js';
import type { WatchRecord } from '../engine/watch-ports.js';
import { formatDuration, truncate } from './format.js';
import type { ButtonSpec, MessageView } from './progress-view.js';

/** "18:04 UTC (in 5 h 59 min)"; a date is added when it is not today (UTC). */
export function whenText(at: number, now: number): string {
  const iso = new Date(at).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  const clock = `${sameDay ? '' : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
  const delta = Math.round((at - now) / 1000);
  if (Math.abs(delta) < 60) return `${clock} (now)`;
  return delta > 0 ? `${clock} (in ${formatDuration(delta)})` : `${clock} (${formatDuration(-delta)} ago)`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function watchButtons(w: WatchRecord): ButtonSpec[][] {
  return [
    [
      { text: '🔄 Check now', action: 'watchCheck', id: w.id },
      w.status === 'paused' ? { text: '▶️ Resume', action: 'watchResume', id: w.id } : { text: '⏸ Pause', action: 'watchPause', id: w.id },
      { text: '🗑 Stop', action: 'watchStop', id: w.id },
    ],
  ];
}

/** One watch: name, interval, last and next check, what the last check found, tracks that left. */
export function watchCard(w: WatchRecord, now: number): MessageView {
  const lines = [`⏰ ${truncate(w.name, 80)} (watch #${w.id}) · every ${formatInterval(w.everyMs)}${w.status === 'paused' ? ' · ⏸ paused' : ''}`];
  lines.push(`Tracks: ${w.trackKeys.length}${w.jobId !== null ? ` · job #${w.jobId}` : ''}`);
  const r = w.lastResult;
  if (w.lastCheckAt === null || !r) {
    lines.push('Last check: not yet');
  } else {
    const found = r.skippedUnchanged || (r.added === 0 && r.removed === 0) ? 'no change' : `${r.added} new, ${r.removed} removed`;
    const outcome =
      r.downloaded !== undefined
        ? ` (${r.downloaded} downloaded${r.notFound ? `, ${r.notFound} not found` : ''}${r.failed ? `, ${r.failed} failed` : ''})`
        : r.added > 0 && w.pendingNotice
          ? ' (downloading)'
          : '';
    lines.push(`Last check: ${whenText(w.lastCheckAt, now)} · ${found}${outcome}`);
  }
  lines.push(w.status === 'paused' ? 'Next check: paused (▶️ Resume)' : `Next check: ${whenText(w.nextCheckAt, now)}`);
  if (w.lastError) lines.push(`⚠️ ${truncate(w.lastError, 300)}`);
  if (w.removed.length > 0) {
    const recent = w.removed.slice(-5).reverse();
    lines.push(`Left the playlist (files kept): ${w.removed.length}`);
    for (const t of recent) lines.push(`  − ${truncate(t.label, 70)}`);
    if (w.removed.length > recent.length) lines.push(`  … and ${w.removed.length - recent.length} more (crate report ${w.jobId ?? ''})`.trimEnd());
  }
  return { text: lines.join('\n'), buttons: watchButtons(w) };
}

/** The one message of a check that found something (and of a postponed one). */
export function watchEventView(event: JobEvent, now: number): MessageView | null {
  if (event.type === 'watch_postponed') {
    return {
      text: `⏰ ${truncate(event.name, 80)}: the check waits until ${whenText(event.until, now)} — ${event.reason}.`,
      buttons: [],
    };
  }
  if (event.type !== 'watch_report') return null;
  const lines: string[] = [];
  const buttons: ButtonSpec[][] = [];
  const name = truncate(event.name, 80);
  if (event.added > 0) {
    const parts = [`${event.downloaded} downloaded`];
    if (event.notFound > 0) parts.push(`${event.notFound} not found`);
    if (event.failed > 0) parts.push(`${event.failed} failed`);
    lines.push(`⏰ ${name}: ${plural(event.added, 'new track')} — ${parts.join(', ')}`);
  }
  if (event.removed > 0) {
    const head = `${plural(event.removed, 'track')} left the playlist (files kept)`;
    lines.push(event.added > 0 ? head : `⏰ ${name}: ${head}`);
    for (const label of event.removedLabels.slice(0, 10)) lines.push(`  − ${truncate(label, 70)}`);
    if (event.removedLabels.length > 10) lines.push(`  … and ${event.removedLabels.length - 10} more`);
  }
  if (lines.length === 0) return null;
  if (event.jobId !== null) {
    const row: ButtonSpec[] = [{ text: `📋 Job #${event.jobId}`, action: 'watchJob', id: event.jobId }];
    // What /missing lists: not found, mismatch (in notFound) and failed.
    const missing = event.notFound + event.failed;
    if (missing > 0) row.push({ text: `🔎 Missing (${missing})`, action: 'missing', id: event.jobId });
    buttons.push(row);
  }
  return { text: lines.join('\n'), buttons };
}

/** A finished playlist job that is not watched yet gets a ⏰ Watch button (track list files never change). */
export function canWatch(job: JobRecord, watched: WatchRecord[]): boolean {
  return job.sourceType === 'playlist' && !job.sourceId.startsWith('list-') && job.status === 'done' && !watched.some((w) => w.sourceId === job.sourceId);
}
