/**
 * The real download path of `crate download LINK`: creates (or resumes) the job, runs it in the
 * foreground with a live display (a redrawn block in a terminal, plain lines otherwise), stops
 * cleanly on Ctrl-C (the job pauses; the same command resumes it) and ends with a summary.
 */
import type { Config } from '../config.js';
import type { JobOptions, JobRecord, TrackRecord } from '../domain/job.js';
import type { Logger } from '../logger.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { LeftFromLastRun } from '../engine/last-run.js';
import type { PacerState } from '../engine/ports.js';
import type { CliContext } from './context.js';
import { countsLine, formatDuration, qualitySummary, quarantinedCount, stateWords, trackLabel } from './job-format.js';
import { LiveDisplay } from './live-display.js';
import { PlainDisplay, type Display } from './plain-display.js';

export interface DownloadRunOptions {
  limit?: number;
  startFrom?: number;
  batchSize?: number;
  sequential?: boolean;
  /** false = --no-resume. */
  resume?: boolean;
  /** false = --no-retry-missing. */
  retryMissing?: boolean;
  organizeBy?: JobOptions['organizeBy'];
  yearFolders?: boolean;
  outputDir?: string;
  fileTemplate?: string;
  /** Redraw interval of the terminal display. */
  refreshMs?: number;
}

/** What the display can read beyond JobServiceApi (the composition root passes them). */
export interface DownloadRunDeps {
  /** Every track of the job (the store's `tracks`), for the quality summary of resumed jobs. */
  tracks?(jobId: number): TrackRecord[];
  /** The shared pacer, for "waiting 42 s: Telegram flood limit" in the live display. */
  pacer?: { state(): PacerState };
}

/** What `crate download` needs from the composition root (src/main.ts builds it). */
export interface DownloadRuntime extends DownloadRunDeps {
  service: JobServiceApi;
  /** Pauses the job at a safe point if still running, closes GramJS and SQLite. */
  close(): Promise<void>;
}

export type DownloadRuntimeFactory = (args: { config: Config; logger: Logger; signal: AbortSignal }) => Promise<DownloadRuntime>;

export async function runJobInForeground(
  ctx: CliContext,
  service: JobServiceApi,
  link: string,
  o: DownloadRunOptions = {},
  deps: DownloadRunDeps = {},
): Promise<JobRecord> {
  const job = await service.createJob(link, {
    limit: o.limit,
    startFrom: o.startFrom,
    batchSize: o.sequential ? 1 : o.batchSize,
    organizeBy: o.organizeBy,
    yearFolders: o.yearFolders,
    outputDir: o.outputDir,
    fileTemplate: o.fileTemplate,
    resume: o.resume,
    retryMissing: o.retryMissing,
  });
  // Before anything is sent: asking again costs messages from the daily budget.
  if (job.leftFromLastRun) ctx.stdout.write(`${lastRunLine(job.leftFromLastRun)}\n`);
  return followJobInForeground(ctx, service, job, o, deps);
}

/** Runs an existing job in the foreground with the live display and the summary (also `crate watch`). */
export async function followJobInForeground(
  ctx: CliContext,
  service: JobServiceApi,
  job: JobRecord,
  o: Pick<DownloadRunOptions, 'refreshMs'> = {},
  deps: DownloadRunDeps = {},
): Promise<JobRecord> {
  const out = ctx.stdout;
  const before = service.progress(job.id);
  const already = before.counts.done + before.counts.skipped;
  const finishedBefore = already + before.counts.not_found + before.counts.mismatch + before.counts.failed;
  out.write(
    `${job.startedAt ? 'Resuming' : 'Starting'} job #${job.id} "${job.name}": ${job.total} track${job.total === 1 ? '' : 's'} → ${job.options.outputDir}` +
      `${already > 0 ? ` (${already} already in place)` : ''}, ${job.options.batchSize} at a time\n`,
  );
  for (const w of job.warnings) out.write(`Note: ${w}\n`);

  const seen = new Map<number, TrackRecord>();
  const notes: string[] = [];
  const display: Display = out.isTTY ? new LiveDisplay(ctx, service, job.id, deps) : new PlainDisplay(ctx, job.total, finishedBefore);
  const unsubscribe = service.events.subscribe((e) => {
    if (e.type === 'track_changed') seen.set(e.track.id, e.track);
    if (e.type === 'job_finished') notes.push(...(e.notes ?? []));
    display.onEvent(e);
  });
  const timer = out.isTTY ? setInterval(() => display.render(), o.refreshMs ?? 250) : null;
  let result: JobRecord;
  try {
    result = await service.run(job.id, { signal: ctx.shutdownSignal });
  } finally {
    if (timer) clearInterval(timer);
    unsubscribe();
    display.close();
  }
  const tracks = deps.tracks?.(job.id) ?? [...seen.values()];
  writeSummary(ctx, service, result, tracks);
  for (const note of notes) ctx.stdout.write(`Warning: ${note}\n`);
  return result;
}

function writeSummary(ctx: CliContext, service: JobServiceApi, job: JobRecord, tracks: TrackRecord[]): void {
  const w = (s: string) => ctx.stdout.write(`${s}\n`);
  const p = service.progress(job.id);
  const missing = service.missing(job.id);
  const elapsed = job.startedAt && job.finishedAt ? (job.finishedAt - job.startedAt) / 1000 : null;
  w('');
  w(`${job.name}: ${countsLine(p.counts, quarantinedCount(tracks))}${elapsed !== null && job.status === 'done' ? ` in ${formatDuration(elapsed)}` : ''}`);
  const quality = qualitySummary(tracks);
  if (quality) w(`Quality: ${quality}`);
  if (job.status === 'paused') {
    w(`Paused: ${job.pauseReason ?? 'stopped'}`);
    w('Run the same command again to resume where it stopped.');
  } else if (job.status === 'cancelled') {
    w('Cancelled.');
  }
  const problems = missing.filter((t) => t.state === 'not_found' || t.state === 'failed' || t.state === 'mismatch');
  if (problems.length > 0) {
    w(`Not downloaded (${problems.length}):`);
    for (const t of problems.slice(0, 20)) w(`  ${trackLabel(t)} [${stateWords(t.state)}]${t.lastError ? ` ${t.lastError}` : ''}`);
    if (problems.length > 20) w(`  … and ${problems.length - 20} more: \`crate report ${job.id}\``);
  }
}

/** "3 tracks were not found last time (job #2): asking again (3 messages)." */
export function lastRunLine(left: LeftFromLastRun): string {
  const n = left.notFound + left.mismatch;
  const tracks = (k: number) => `${k} track${k === 1 ? '' : 's'}`;
  const were = (k: number) => (k === 1 ? 'was' : 'were');
  let what: string;
  if (left.mismatch === 0) what = `${tracks(left.notFound)} ${were(left.notFound)} not found`;
  else if (left.notFound === 0) what = `${tracks(left.mismatch)} got a file that did not match`;
  else what = `${tracks(left.notFound)} ${were(left.notFound)} not found and ${left.mismatch} got a file that did not match`;
  const head = `${what} last time (job #${left.jobId})`;
  return left.askedAgain
    ? `${head}: asking again (${n} message${n === 1 ? '' : 's'}). To leave ${n === 1 ? 'it' : 'them'} out: --no-retry-missing.`
    : `${head}: not asking again (--no-retry-missing); \`crate report\` lists ${n === 1 ? 'it' : 'them'}.`;
}
