/** `crate report [JOB] [--json|--csv]`: every track of a job with its outcome and what arrived. */
import type { Command } from 'commander';
import { UserError } from '../domain/errors.js';
import type { JobRecord, TrackRecord } from '../domain/job.js';
import type { RegisterCommand } from './commands.js';
import type { CliContext } from './context.js';
import { audioLabel, formatBytes, jobLine, qualitySummary, quarantinedCount, stateWords, trackLabel } from './job-format.js';
import { pickJob, withJobStore } from './job-store-access.js';

export const registerReport: RegisterCommand = (program: Command, ctx: CliContext) => {
  program
    .command('report [job]')
    .description('report a job track by track (default: the latest job)')
    .option('--json', 'JSON output')
    .option('--csv', 'CSV output (one row per track)')
    .action(async (jobArg: string | undefined, opts: { json?: boolean; csv?: boolean }) => {
      if (opts.json && opts.csv) throw new UserError('Choose one of --json and --csv.');
      await withJobStore(ctx, async (store, db) => {
        const job = pickJob(store, jobArg);
        const tracks = store.tracks(job.id);
        const counts = store.counts(job.id);
        // A watched playlist's job: the tracks that left the playlist (their files stay) are part of its story.
        const { DrizzleWatchStore } = await import('../db/watch-store.js');
        const removed = new DrizzleWatchStore(db, store).listWatches().find((w) => w.jobId === job.id)?.removed ?? [];
        if (opts.json) ctx.stdout.write(`${JSON.stringify({ job, counts, quality: qualitySummary(tracks), tracks, removedFromPlaylist: removed }, null, 2)}\n`);
        else if (opts.csv) ctx.stdout.write(reportCsv(tracks));
        else ctx.stdout.write(reportText(job, tracks, jobLine(job, counts, quarantinedCount(tracks))) + removedText(removed));
      });
    });
};

const CSV_COLUMNS = [
  'position', 'artists', 'title', 'album', 'isrc', 'spotify_id', 'state', 'file', 'quarantine', 'bit_depth', 'sample_rate',
  'channels', 'duration_ms', 'size_bytes', 'quality', 'attempts', 'last_error',
] as const;

export function reportCsv(tracks: TrackRecord[]): string {
  const rows = tracks.map((t) => [
    t.position, t.artists.join(', '), t.title, t.album, t.isrc, t.spotifyId, t.state, t.filePath, t.quarantinePath,
    t.audio?.bitDepth, t.audio?.sampleRate, t.audio?.channels, t.audio?.durationMs, t.audio?.sizeBytes, t.audio?.quality,
    t.attempts, t.lastError,
  ]);
  return [CSV_COLUMNS as readonly unknown[], ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  // Quote when needed; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function reportText(job: JobRecord, tracks: TrackRecord[], header: string): string {
  const lines = [header, `Link: ${job.link}`, `Folder: ${job.options.outputDir}`];
  const q = qualitySummary(tracks);
  if (q) lines.push(`Quality: ${q}`);
  for (const w of job.warnings) lines.push(`Note: ${w}`);
  lines.push('');
  for (const t of tracks) {
    let detail = '';
    if (t.state === 'done' || t.state === 'skipped') {
      detail = `${t.audio ? `${audioLabel(t.audio)}${t.audio.sizeBytes ? ` ${formatBytes(t.audio.sizeBytes)}` : ''} ` : ''}${t.filePath ?? ''}`;
    } else if (t.state === 'mismatch') {
      detail = `${t.lastError ?? ''}${t.quarantinePath ? ` → ${t.quarantinePath}` : ''}`;
    } else {
      detail = t.lastError ?? '';
    }
    lines.push(`${trackLabel(t)}  [${stateWords(t.state)}]${detail ? `  ${detail}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Tracks that left a watched playlist, newest last (their files were kept). */
export function removedText(removed: { label: string; removedAt: number }[]): string {
  if (removed.length === 0) return '';
  const lines = ['', `Left the playlist (files kept): ${removed.length}`];
  for (const r of removed) lines.push(`  - ${r.label}  (${new Date(r.removedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
  return `${lines.join('\n')}\n`;
}
