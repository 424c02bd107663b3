/** Plain-text views of jobs and tracks shared by `crate download`, `status` and `report`. */
import { existsSync } from 'node:fs';
import type { AudioFacts, JobRecord, TrackCounts, TrackRecord } from '../domain/job.js';

/** "12 × 16/44.1, 3 × 24/96" — what actually arrived, most common first. */
export function qualitySummary(tracks: Pick<TrackRecord, 'audio' | 'state'>[]): string {
  const counts = new Map<string, number>();
  for (const t of tracks) {
    if ((t.state !== 'done' && t.state !== 'skipped') || !t.audio) continue;
    const key = audioLabel(t.audio);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([k, n]) => `${n} × ${k}`)
    .join(', ');
}

/** "24/96", "16/44.1", "?/?" when unknown. */
export function audioLabel(a: Pick<AudioFacts, 'bitDepth' | 'sampleRate'>): string {
  const rate = a.sampleRate ? String(Math.round(a.sampleRate / 100) / 10) : '?';
  return `${a.bitDepth ?? '?'}/${rate}`;
}

/**
 * Mismatched tracks whose file really is in `_quarantine/`. The others were refused before
 * download (the bot's file was the wrong one by its name or length) or their file is gone.
 */
export function quarantinedCount(tracks: Pick<TrackRecord, 'state' | 'quarantinePath'>[]): number {
  return tracks.filter((t) => t.state === 'mismatch' && t.quarantinePath !== null && existsSync(t.quarantinePath)).length;
}

/**
 * "38 done, 1 skipped, 2 not found, 1 failed" (only the states that occur); `quarantined` (see
 * quarantinedCount) says how many mismatches left a file to look at.
 */
export function countsLine(c: TrackCounts, quarantined = 0): string {
  const parts: string[] = [];
  const add = (n: number, label: string) => n > 0 && parts.push(`${n} ${label}`);
  add(c.done, 'done');
  add(c.skipped, 'already in library');
  add(c.not_found, 'not found');
  add(c.mismatch, quarantined > 0 ? `mismatch (${quarantined} file${quarantined === 1 ? '' : 's'} in _quarantine)` : 'mismatch');
  add(c.failed, 'failed');
  const pending = c.queued + c.requested + c.picked + c.downloading + c.verifying;
  add(pending, 'pending');
  return parts.length > 0 ? parts.join(', ') : 'no tracks';
}

const STATE_WORDS: Record<TrackRecord['state'], string> = {
  queued: 'waiting',
  requested: 'asked',
  picked: 'picked',
  downloading: 'downloading',
  verifying: 'verifying',
  done: 'done',
  skipped: 'already in library',
  not_found: 'not found',
  mismatch: 'mismatch',
  failed: 'failed',
};

/** A track's state in words ("not found", not `not_found`). */
export function stateWords(state: TrackRecord['state']): string {
  return STATE_WORDS[state] ?? state;
}

/** "1 track", "2 tracks": a count with its noun (never "1 tracks"). */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function trackLabel(t: Pick<TrackRecord, 'position' | 'artists' | 'title'>): string {
  return `${String(t.position).padStart(3)}. ${t.artists.join(', ')} - ${t.title}`;
}

export function jobLine(job: JobRecord, c: TrackCounts, quarantined = 0): string {
  const finished = c.done + c.skipped;
  const reason = job.pauseReason && job.status !== 'done' ? ` — ${job.pauseReason}` : '';
  return `#${job.id} ${job.name} [${job.status}] ${finished} of ${job.total} in library; ${countsLine(c, quarantined)}${reason}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
