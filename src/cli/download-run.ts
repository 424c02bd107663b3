/**
 * The real download path of `crate download LINK`: creates (or resumes) the job, runs it in the
 * foreground with a live display (a redrawn block in a terminal, plain lines otherwise), stops
 * cleanly on Ctrl-C (the job pauses; the same command resumes it) and ends with a summary.
 */
import type { Config } from '../config.js';
import type { JobOptions, JobRecord, TrackRecord } from '../domain/job.js';
import type { Logger } from '../logger.js';
import type { JobServiceApi } from '../engine/job-service-api.js';
import type { JobEvent, PacerState } from '../engine/ports.js';
import type { CliContext } from './context.js';
import { fitToWidth } from './display-width.js';
import { audioLabel, countsLine, formatBytes, formatDuration, qualitySummary, stateWords, trackLabel } from './job-format.js';

export interface DownloadRunOptions {
  limit?: number;
  startFrom?: number;
  batchSize?: number;
  sequential?: boolean;
  /** false = --no-resume. */
  resume?: boolean;
  organizeBy?: JobOptions['organizeBy'];
  yearFolders?: boolean;
  outputDir?: string;
  fileTemplate?: string;
  /** Redraw interval of the terminal display. */
  refreshMs?: number;
}

const STEP: Partial<Record<TrackRecord['state'], string>> = {
  requested: 'asked',
  picked: 'picked',
  downloading: 'downloading',
  verifying: 'verifying',
};

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
  });
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
  w(`${job.name}: ${countsLine(p.counts)}${elapsed !== null && job.status === 'done' ? ` in ${formatDuration(elapsed)}` : ''}`);
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

interface Display {
  onEvent(e: JobEvent): void;
  render(): void;
  close(): void;
}

/** A wait in plain words; a long one says when sending goes on (a UTC clock time). */
function waitingLine(e: { seconds: number; reason: string; until?: number }): string {
  if (e.until === undefined || e.seconds < 120) return `waiting ${e.seconds} s: ${e.reason}`;
  const at = new Date(e.until).toISOString().slice(11, 16);
  return `Telegram asked Crate to wait ${formatDuration(e.seconds)} (${e.reason}): nothing is sent before ${at} UTC; the job goes on by itself then (Ctrl-C is safe: the wait is remembered).`;
}

/** One line per finished track and per pause: for logs, pipes and CI. */
class PlainDisplay implements Display {
  constructor(
    private readonly ctx: CliContext,
    private readonly total: number,
    private finished: number,
  ) {}

  onEvent(e: JobEvent): void {
    const w = (s: string) => this.ctx.stdout.write(`${s}\n`);
    if (e.type === 'track_changed') {
      const t = e.track;
      if (!['done', 'skipped', 'not_found', 'mismatch', 'failed'].includes(t.state)) return;
      this.finished++;
      const extra =
        t.state === 'done' || t.state === 'skipped'
          ? t.audio
            ? ` (${audioLabel(t.audio)})`
            : ''
          : t.lastError
            ? ` — ${t.lastError}`
            : '';
      // "8 of 40 finished", not "[8/40]": that reads like the track's place in the playlist.
      w(`${this.finished} of ${this.total} finished · ${stateWords(t.state)}: ${t.artists.join(', ')} - ${t.title}${extra}`);
    } else if (e.type === 'pacer_waiting') {
      w(waitingLine(e));
    } else if (e.type === 'session_expired') {
      w(e.message);
    }
  }

  render(): void {}
  close(): void {}
}

/** A block redrawn in place: overall bar, tracks in flight, bytes, ETA and the pacer. */
class LiveDisplay implements Display {
  private lines = 0;
  private readonly bytes = new Map<number, { received: number; total: number }>();
  private readonly active = new Map<number, TrackRecord>();
  private readonly log: string[] = [];
  private waiting: string | null = null;

  constructor(
    private readonly ctx: CliContext,
    private readonly service: JobServiceApi,
    private readonly jobId: number,
    private readonly deps: DownloadRunDeps,
  ) {}

  onEvent(e: JobEvent): void {
    if (e.type === 'track_changed') {
      const t = e.track;
      if (STEP[t.state]) {
        this.active.set(t.id, t);
        return;
      }
      this.active.delete(t.id);
      this.bytes.delete(t.id);
      if (t.state === 'not_found' || t.state === 'failed' || t.state === 'mismatch') {
        this.log.push(`${stateWords(t.state)}: ${t.artists.join(', ')} - ${t.title}${t.lastError ? ` — ${t.lastError}` : ''}`);
      }
    } else if (e.type === 'bytes') {
      this.bytes.set(e.trackId, { received: e.receivedBytes, total: e.totalBytes });
    } else if (e.type === 'pacer_waiting') {
      this.waiting = waitingLine(e);
    } else if (e.type === 'session_expired') {
      this.log.push(e.message);
    }
  }

  render(): void {
    const cols = Math.max(40, this.ctx.stdout.columns ?? 80);
    const p = this.service.progress(this.jobId);
    const c = p.counts;
    const finished = c.done + c.skipped + c.not_found + c.mismatch + c.failed;
    const total = p.job.total;
    const width = Math.max(10, Math.min(40, cols - 50));
    const filled = total > 0 ? Math.round((finished / total) * width) : 0;
    const eta = p.etaSeconds !== null ? `  ETA ${formatDuration(p.etaSeconds)}` : '';
    // Finished-track lines go above the block and scroll away; the block is redrawn below them.
    const logged = this.log.splice(0);
    const block = [`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${finished}/${total}  ${p.inFlight.length} in flight  ${formatBytes(p.receivedBytes)}${eta}`];
    for (const t of [...this.active.values()].slice(0, 6)) {
      const b = this.bytes.get(t.id);
      const pct = b && b.total > 0 ? ` ${Math.floor((b.received / b.total) * 100)}%` : '';
      block.push(`  ${STEP[t.state] ?? t.state}${pct}  ${t.artists.join(', ')} - ${t.title}`);
    }
    const pacer = this.deps.pacer?.state().describe ?? this.waiting;
    if (pacer && pacer !== 'ready') block.push(`  pacer: ${pacer}`);
    // Cut by display cells (CJK, emoji), one cell short of the edge: a line that wrapped would
    // take two rows and the next redraw would leave a stale one behind.
    const fitted = block.map((l) => fitToWidth(l, cols - 1));
    this.ctx.stdout.write(this.clearBlock() + [...logged, ...fitted].map((l) => `${l}\n`).join(''));
    this.lines = fitted.length;
  }

  /** Moves up over the block drawn last and clears to the end of the screen (and a stray ^C). */
  private clearBlock(): string {
    return this.lines > 0 ? `\r\x1b[2K\x1b[${this.lines}A\x1b[0J` : '';
  }

  /**
   * The block goes away (after Ctrl-C it would show tracks no longer in flight); what was still to
   * be logged and one line with the final count stay, and the summary follows.
   */
  close(): void {
    const p = this.service.progress(this.jobId);
    const c = p.counts;
    const finished = c.done + c.skipped + c.not_found + c.mismatch + c.failed;
    const logged = this.log.splice(0);
    this.ctx.stdout.write(this.clearBlock() + [...logged, `${finished} of ${p.job.total} tracks finished`].map((l) => `${l}\n`).join(''));
    this.lines = 0;
  }
}
