import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Logger } from '../logger.js';
import {
  NO_SESSION_CODE,
  SessionExpiredError,
  TELEGRAM_UNREACHABLE_REASON,
  UserError,
  errorMessage,
  isSessionExpiredReason,
  isTelegramUnreachableReason,
} from '../domain/errors.js';
import {
  FINAL_TRACK_STATES,
  IN_FLIGHT_TRACK_STATES,
  type JobOptions,
  type JobRecord,
  type TrackRecord,
  type TrackState,
} from '../domain/job.js';
import type { SessionStatus } from '../domain/telegram.js';
import type { SourceListing } from '../domain/track.js';
import type { CreatedJob, JobProgress, JobServiceApi, ServiceStatus } from './job-service-api.js';
import { LEFT_WITHOUT_FILE, leftWithoutFile, type LeftFromLastRun } from './last-run.js';
import { JobEventEmitter } from './job-events.js';
import { JobRunner, type JobRunnerDeps } from './job-runner.js';
import type { Clock, JobEvents, JobStore, Library, MessagePacer, PlaylistSource, TrackAcquirer } from './ports.js';
import type { BackoffOptions } from './retry.js';
import { FORGET_EXCHANGE } from './ask-afresh.js';

/** An acquirer that can also show the owner the bot's own menu for a track. */
export type MenuCapableAcquirer = TrackAcquirer & {
  listMenuRows?(track: TrackRecord, options?: { signal?: AbortSignal }): Promise<string[]>;
};

export interface JobServiceDeps {
  store: JobStore;
  source: PlaylistSource;
  acquirer: MenuCapableAcquirer;
  library: Library;
  pacer: MessagePacer;
  sessionStatus(): Promise<SessionStatus>;
  clock: Clock;
  logger: Logger;
  /** Shared with whoever else emits (the pacer's waits); a new emitter when omitted. */
  events?: JobEvents;
  defaults: {
    options: JobOptions;
    maxRetries: number;
    responseTimeoutSeconds: number;
    /** Used for the ETA before any track has finished. */
    messageGapSeconds: number;
  };
  backoff?: Partial<BackoffOptions>;
  floodWaitLimit?: number;
  playlistWriteIntervalMs?: number;
  /**
   * This process, as recorded on the job it runs, and a way to tell whether the process recorded
   * on a job still runs: a job another live process runs is never adopted (resumed) here.
   */
  process?: ProcessOwnership;
}

export interface ProcessOwnership {
  /** Stored on a running job (opaque to the engine). */
  owner: string;
  isAlive(owner: string): boolean;
  /** "`crate download` (pid 4242)", for the message when a job is someone else's. */
  describe(owner: string): string;
}

interface Waiter {
  jobId: number;
  resolve: (job: JobRecord) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** What needs the owner: tracks that ended without a file. Tracks not asked for yet are not missing. */
const NEEDS_OWNER: TrackState[] = ['not_found', 'mismatch', 'failed'];

/**
 * What the CLI and the control bot call. Jobs run one at a time from a queue (`start` in the
 * background, `run` in the foreground); each job is run by a JobRunner over the injected ports.
 */
/** The pause reason a clean shutdown leaves, so the next start knows to go on by itself. */
export const STOPPED_BY_SHUTDOWN = 'Crate was stopped; the job resumes when it starts again';

export class JobService implements JobServiceApi {
  readonly events: JobEvents;
  private readonly queue: Waiter[] = [];
  private current: { jobId: number; runner: JobRunner; done: Promise<JobRecord> } | null = null;
  private shuttingDown = false;

  constructor(private readonly deps: JobServiceDeps) {
    this.events = deps.events ?? new JobEventEmitter((err) => deps.logger.warn({ err }, 'a job event listener failed'));
  }

  /** The owner changed settings (/settings): new jobs use them; the pacer's gap is set separately. */
  updateDefaults(patch: { quality?: JobOptions['quality']; batchSize?: number; messageGapSeconds?: number }): void {
    const d = this.deps.defaults;
    if (patch.quality !== undefined) d.options = { ...d.options, quality: patch.quality };
    if (patch.batchSize !== undefined) d.options = { ...d.options, batchSize: patch.batchSize };
    if (patch.messageGapSeconds !== undefined) d.messageGapSeconds = patch.messageGapSeconds;
  }

  preview(link: string, options: { signal?: AbortSignal } = {}): Promise<SourceListing> {
    return this.deps.source.load(link, options);
  }

  async createJob(link: string, options: Partial<JobOptions> & { resume?: boolean; retryMissing?: boolean } = {}): Promise<CreatedJob> {
    const { resume, retryMissing, ...given } = options;
    const opts = this.jobOptions(given);
    const listing = await this.deps.source.load(link);
    const tracks = listing.tracks
      .filter((t) => t.position >= opts.startFrom)
      .slice(0, opts.limit ?? undefined);
    if (tracks.length === 0) {
      throw new UserError(
        listing.tracks.length === 0
          ? `"${listing.source.name}" has no tracks to download.`
          : `"${listing.source.name}" has ${listing.tracks.length} tracks; --start-from ${opts.startFrom} leaves none.`,
      );
    }
    const fingerprint = jobFingerprint(listing, opts);
    const { store } = this.deps;
    if (resume !== false) {
      const existing = store.findResumableJob(fingerprint);
      if (existing) {
        if (existing.options.batchSize !== opts.batchSize) {
          return store.updateJob(existing.id, { options: { ...existing.options, batchSize: opts.batchSize } });
        }
        return existing;
      }
    } else {
      // Starting afresh: the old unfinished job stops being resumable.
      for (let old = store.findResumableJob(fingerprint); old; old = store.findResumableJob(fingerprint)) {
        if (this.current?.jobId === old.id) await this.cancel(old.id);
        else store.updateJob(old.id, { status: 'cancelled', pauseReason: 'replaced by a new run (--no-resume)', finishedAt: this.deps.clock.now() });
      }
    }
    const job = store.createJob({ link, listing: { ...listing, tracks }, options: opts, fingerprint });
    this.logger(job.id).info({ name: job.name, total: job.total }, 'job created');
    const left = this.followLastRun(job, fingerprint, retryMissing !== false);
    return left ? { ...job, leftFromLastRun: left } : job;
  }

  /**
   * The tracks the last finished run of this link left without a file. Asked again (the
   * default) they stay queued; otherwise they keep last run's state and reason, and a mismatched
   * file stays where it is in quarantine (`accept` works on it from the new job).
   */
  private followLastRun(job: JobRecord, fingerprint: string, askAgain: boolean): LeftFromLastRun | null {
    const { store } = this.deps;
    const last = store.findLastFinishedJob(fingerprint);
    if (!last) return null;
    const pairs = leftWithoutFile(store.tracks(last.id, { states: [...LEFT_WITHOUT_FILE] }), store.tracks(job.id));
    if (pairs.length === 0) return null;
    if (!askAgain) {
      for (const { track, before } of pairs) {
        const what = before.state === 'not_found' ? 'not found' : 'did not match';
        store.updateTrack(track.id, {
          state: before.state,
          lastError: `${what} in job #${last.id}${before.lastError ? ` (${before.lastError})` : ''}; not asked again`,
          quarantinePath: before.quarantinePath,
        });
      }
    }
    const notFound = pairs.filter((p) => p.before.state === 'not_found').length;
    this.logger(job.id).info({ lastRun: last.id, notFound, mismatch: pairs.length - notFound, askAgain }, 'tracks left without a file last time');
    return { jobId: last.id, notFound, mismatch: pairs.length - notFound, askedAgain: askAgain };
  }

  /**
   * After a restart: jobs that were running when the process died (SIGKILL, power loss) or that
   * a clean shutdown paused are queued again, oldest first, and so are jobs that waited for the
   * Telegram session (call it once the session is up). Jobs the owner paused stay paused.
   */
  resumeInterrupted(): number[] {
    const waiting = (j: JobRecord) =>
      j.pauseReason === STOPPED_BY_SHUTDOWN || isSessionExpiredReason(j.pauseReason) || isTelegramUnreachableReason(j.pauseReason);
    const jobs = this.deps.store
      .listJobs()
      .filter((j) => j.status === 'running' || (j.status === 'paused' && waiting(j)))
      .filter((j) => this.runningElsewhere(j.id) === null)
      .sort((a, b) => a.id - b.id);
    for (const job of jobs) this.start(job.id);
    return jobs.map((j) => j.id);
  }

  /**
   * The user session's link went down or came back. Down: the running job pauses ("Telegram
   * unreachable"), keeping every track's step. Up: the jobs it paused go on by themselves. The
   * owner hears one event each way, not one per track.
   */
  telegramConnection(change: { state: 'up' | 'down'; detail: string | null }): void {
    if (change.state === 'down') {
      const jobIds = this.current ? [this.current.jobId] : [];
      if (this.current) this.current.runner.stop('pause', TELEGRAM_UNREACHABLE_REASON);
      this.events.emit({ type: 'telegram_connection', state: 'down', detail: change.detail, jobIds });
      return;
    }
    const waiting = this.deps.store
      .listJobs()
      .filter((j) => j.status === 'paused' && isTelegramUnreachableReason(j.pauseReason))
      .sort((a, b) => a.id - b.id);
    this.events.emit({ type: 'telegram_connection', state: 'up', detail: null, jobIds: waiting.map((j) => j.id) });
    for (const job of waiting) this.start(job.id);
  }

  start(jobId: number): void {
    const job = this.requireJob(jobId);
    // A cancelled job is over: an old Start button must not bring it back.
    if (job.status === 'cancelled') throw new UserError(`Job #${jobId} was cancelled; send its link again to start over.`);
    if (this.current?.jobId === jobId || this.queue.some((w) => w.jobId === jobId)) return;
    void this.enqueue(jobId).catch((err: unknown) => this.logger(jobId).error({ err }, 'background job failed'));
  }

  run(jobId: number, options: { signal?: AbortSignal } = {}): Promise<JobRecord> {
    this.requireJob(jobId);
    if (this.current?.jobId === jobId) return this.current.done;
    return this.enqueue(jobId, options.signal);
  }

  async pause(jobId: number, reason = 'paused by you'): Promise<JobRecord> {
    const job = this.requireJob(jobId);
    if (this.current?.jobId === jobId) {
      this.current.runner.stop('pause', reason);
      return this.current.done;
    }
    this.dequeue(jobId);
    if (job.status === 'pending' || job.status === 'running') return this.deps.store.updateJob(jobId, { status: 'paused', pauseReason: reason });
    return job;
  }

  async resume(jobId: number): Promise<JobRecord> {
    const job = this.requireJob(jobId);
    if (job.status === 'cancelled') throw new UserError(`Job ${jobId} was cancelled; download its link again to start over.`);
    if (this.current?.jobId === jobId) return job;
    const updated = this.deps.store.updateJob(jobId, { status: 'pending', pauseReason: null });
    this.start(jobId);
    return updated;
  }

  async cancel(jobId: number): Promise<JobRecord> {
    const job = this.requireJob(jobId);
    if (this.current?.jobId === jobId) {
      this.current.runner.stop('cancel', 'cancelled by you');
      return this.current.done;
    }
    this.dequeue(jobId);
    if (job.status === 'done' || job.status === 'cancelled') return job;
    const cancelled = this.deps.store.updateJob(jobId, { status: 'cancelled', pauseReason: 'cancelled by you', finishedAt: this.deps.clock.now() });
    await this.deps.library.discardDownloads(cancelled).catch(() => {});
    return cancelled;
  }

  async retryFailed(jobId: number, options: { includeNotFound?: boolean; includeMismatch?: boolean } = {}): Promise<number> {
    this.requireJob(jobId);
    const states: TrackState[] = ['failed'];
    if (options.includeNotFound) states.push('not_found');
    if (options.includeMismatch) states.push('mismatch');
    const tracks = this.deps.store.tracks(jobId, { states });
    for (const t of tracks) this.requeue(t);
    return tracks.length;
  }

  async retryTrack(trackId: number): Promise<TrackRecord> {
    const track = this.requireTrack(trackId);
    if (IN_FLIGHT_TRACK_STATES.includes(track.state)) throw new UserError(`Track ${trackId} is being downloaded right now.`);
    return this.requeue(track);
  }

  async acceptQuarantined(trackId: number): Promise<TrackRecord> {
    const track = this.requireTrack(trackId);
    if (track.state !== 'mismatch' || !track.quarantinePath) {
      throw new UserError(`Track ${trackId} has no file in quarantine (it is ${track.state}).`);
    }
    const job = this.requireJob(track.jobId);
    const stored = await this.deps.library.acceptQuarantined(job, track);
    const updated = this.deps.store.updateTrack(trackId, {
      state: 'done',
      filePath: stored.path,
      quarantinePath: null,
      audio: stored.audio ?? track.audio,
      lastError: null,
    });
    this.events.emit({ type: 'track_changed', job, track: updated });
    await this.deps.library.writePlaylist(job, this.deps.store.tracks(job.id)).catch(() => null);
    return updated;
  }

  async menuRows(trackId: number): Promise<string[]> {
    const track = this.requireTrack(trackId);
    if (!this.deps.acquirer.listMenuRows) throw new UserError('This download mode cannot show the bot menu for a track.');
    // Asking the bot costs a message from the daily budget: not when it cannot go out.
    await this.requireSession();
    return this.deps.acquirer.listMenuRows(track);
  }

  async chooseRow(trackId: number, rowText: string): Promise<TrackRecord> {
    const track = this.requireTrack(trackId);
    if (IN_FLIGHT_TRACK_STATES.includes(track.state)) throw new UserError(`Track ${trackId} is being downloaded right now.`);
    this.deps.store.updateTrack(trackId, { rememberedChoice: rowText });
    return this.requeue({ ...track, rememberedChoice: rowText });
  }

  progress(jobId: number): JobProgress {
    const job = this.requireJob(jobId);
    const { store, clock } = this.deps;
    const counts = store.counts(jobId);
    const inFlight = store.tracks(jobId, { states: [...IN_FLIGHT_TRACK_STATES] });
    const snap = this.current?.jobId === jobId ? this.current.runner.snapshot() : null;
    const final = FINAL_TRACK_STATES.reduce((n, s) => n + counts[s], 0);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const remaining = total - final;
    let etaSeconds: number | null = null;
    if (remaining === 0) etaSeconds = 0;
    else if (snap) {
      const gap = this.deps.defaults.messageGapSeconds;
      const elapsed = (clock.now() - snap.runStartedAt) / 1000;
      // The pacer's gap is the floor per track; once tracks finish, the observed pace is better.
      const perTrack = snap.finishedThisRun >= 3 ? Math.max(gap, elapsed / snap.finishedThisRun) : gap;
      etaSeconds = Math.round(remaining * perTrack);
    }
    return { job, counts, inFlight, receivedBytes: snap?.receivedBytes ?? 0, etaSeconds };
  }

  missing(jobId: number): TrackRecord[] {
    this.requireJob(jobId);
    return this.deps.store.tracks(jobId).filter((t) => NEEDS_OWNER.includes(t.state));
  }

  tracks(jobId: number): TrackRecord[] {
    this.requireJob(jobId);
    return this.deps.store.tracks(jobId);
  }

  listJobs(): JobRecord[] {
    return this.deps.store.listJobs();
  }

  async status(): Promise<ServiceStatus> {
    let session: SessionStatus;
    try {
      session = await this.deps.sessionStatus();
    } catch (err) {
      session = { state: 'offline', user: null, detail: errorMessage(err) };
    }
    const jobs = this.deps.store
      .listJobs({ limit: 50 })
      .filter((j) => j.status === 'running' || j.status === 'pending' || j.status === 'paused')
      .map((j) => this.progress(j.id));
    return { session, pacer: this.deps.pacer.state(), jobs };
  }

  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const w of this.queue.splice(0)) this.settleWaiter(w);
    const current = this.current;
    if (current) {
      current.runner.stop('pause', STOPPED_BY_SHUTDOWN);
      await current.done.catch(() => {});
    }
  }

  // ---- internals ----

  private jobOptions(given: Partial<JobOptions>): JobOptions {
    const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<JobOptions>;
    const o: JobOptions = { ...this.deps.defaults.options, ...defined };
    if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 50) throw new UserError(`--batch-size must be a whole number from 1 to 50, got ${o.batchSize}.`);
    if (!Number.isInteger(o.startFrom) || o.startFrom < 1) throw new UserError(`--start-from must be a track number from 1, got ${o.startFrom}.`);
    if (o.limit !== null && (!Number.isInteger(o.limit) || o.limit < 1)) throw new UserError(`--limit must be a whole number from 1, got ${o.limit}.`);
    return { ...o, outputDir: path.resolve(o.outputDir) };
  }

  private requeue(track: TrackRecord): TrackRecord {
    const { store } = this.deps;
    const updated = store.updateTrack(track.id, {
      state: 'queued',
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      ...FORGET_EXCHANGE,
    });
    const job = this.requireJob(track.jobId);
    if (this.current?.jobId === track.jobId) this.current.runner.enqueue(track.id);
    else if (job.status === 'done') store.updateJob(job.id, { status: 'paused', pauseReason: 'tracks queued again; resume to fetch them' });
    this.events.emit({ type: 'track_changed', job, track: updated });
    return updated;
  }

  private enqueue(jobId: number, signal?: AbortSignal): Promise<JobRecord> {
    if (this.shuttingDown) return Promise.reject(new UserError('Crate is shutting down.'));
    return new Promise<JobRecord>((resolve, reject) => {
      const waiter: Waiter = { jobId, resolve, reject };
      if (signal) {
        if (signal.aborted) {
          resolve(this.requireJob(jobId));
          return;
        }
        waiter.signal = signal;
        waiter.onAbort = () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) {
            this.queue.splice(i, 1);
            this.settleWaiter(waiter);
          }
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  private dequeue(jobId: number): void {
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const w = this.queue[i]!;
      if (w.jobId !== jobId) continue;
      this.queue.splice(i, 1);
      this.settleWaiter(w);
    }
  }

  private settleWaiter(w: Waiter): void {
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    const job = this.deps.store.getJob(w.jobId);
    if (job) w.resolve(job);
    else w.reject(new UserError(`No job ${w.jobId}.`));
  }

  private pump(): void {
    if (this.current || this.shuttingDown) return;
    const waiter = this.queue.shift();
    if (!waiter) return;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    const log = this.logger(waiter.jobId);
    const elsewhere = this.runningElsewhere(waiter.jobId);
    if (elsewhere !== null) {
      waiter.reject(new UserError(`Job ${waiter.jobId} is being run by ${elsewhere}; it cannot run here at the same time.`));
      this.pump();
      return;
    }
    let runner: JobRunner;
    try {
      const runnerDeps: JobRunnerDeps = {
        store: this.deps.store,
        acquirer: this.deps.acquirer,
        library: this.deps.library,
        pacer: this.deps.pacer,
        events: this.events,
        clock: this.deps.clock,
        logger: log,
        maxRetries: this.deps.defaults.maxRetries,
        responseTimeoutMs: this.deps.defaults.responseTimeoutSeconds * 1000,
        backoff: this.deps.backoff,
        floodWaitLimit: this.deps.floodWaitLimit,
        playlistWriteIntervalMs: this.deps.playlistWriteIntervalMs,
      };
      runner = new JobRunner(runnerDeps, waiter.jobId);
    } catch (err) {
      waiter.reject(err);
      this.pump();
      return;
    }
    const own = this.deps.process?.owner ?? null;
    if (own !== null) this.deps.store.setJobOwner?.(waiter.jobId, own);
    const done = runner.run(waiter.signal).catch((err: unknown) => {
      log.error({ err }, 'job stopped by an unexpected error');
      // Paused, not failed: the next run resumes where this one stopped.
      return this.deps.store.updateJob(waiter.jobId, { status: 'paused', pauseReason: `error: ${errorMessage(err)}` });
    });
    this.current = { jobId: waiter.jobId, runner, done };
    void done.then((job) => {
      if (own !== null) this.deps.store.setJobOwner?.(waiter.jobId, null);
      this.current = null;
      waiter.resolve(job);
      this.pump();
    });
  }

  /** Who else runs this job right now (a live process other than this one), or null. */
  private runningElsewhere(jobId: number): string | null {
    const p = this.deps.process;
    const owner = this.deps.store.jobOwner?.(jobId) ?? null;
    if (!p || owner === null || owner === p.owner) return null;
    return p.isAlive(owner) ? p.describe(owner) : null;
  }

  private requireJob(jobId: number): JobRecord {
    const job = this.deps.store.getJob(jobId);
    if (!job) throw new UserError(`There is no job #${jobId}.`);
    return job;
  }

  /** Throws SessionExpiredError when the user session is missing or expired (offline may come back). */
  private async requireSession(): Promise<void> {
    let session: SessionStatus;
    try {
      session = await this.deps.sessionStatus();
    } catch {
      return;
    }
    if (session.state === 'no_session') throw new SessionExpiredError(NO_SESSION_CODE);
    if (session.state === 'expired') throw new SessionExpiredError(/\b([A-Z][A-Z0-9_]{3,})\b/.exec(session.detail ?? '')?.[1] ?? 'SESSION_EXPIRED');
  }

  private requireTrack(trackId: number): TrackRecord {
    const track = this.deps.store.getTrack(trackId);
    if (!track) throw new UserError(`No track ${trackId}.`);
    return track;
  }

  private logger(jobId: number): Logger {
    return this.deps.logger.child({ job: jobId });
  }
}

/** Same source + same output options = same job (batch size may change between runs). */
export function jobFingerprint(listing: SourceListing, o: JobOptions): string {
  const key = JSON.stringify([
    listing.source.type,
    listing.source.id,
    o.outputDir,
    o.organizeBy,
    o.yearFolders,
    o.fileTemplate,
    o.quality,
    o.startFrom,
    o.limit,
  ]);
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}
