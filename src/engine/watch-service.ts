/**
 * Playlist watch: playlists the owner follows stay in sync by themselves. A check reads the playlist
 * again (skipped when Spotify's snapshot_id did not change), brings the playlist's job in line with
 * it (new tracks queued, removed ones out of the playlist file, their audio kept), and runs the job for
 * the new tracks. Checks never spend more than the day's message budget has left, never run while a
 * safety stop is in force, and never touch the pacer's rules: the job they start is paced like any.
 */
import { createHash } from 'node:crypto';
import { RateLimitedError, UserError, errorMessage } from '../domain/errors.js';
import { parseIntervalMs } from '../domain/interval.js';
import type { JobRecord } from '../domain/job.js';
import type { SourceListing } from '../domain/track.js';
import type { Logger } from '../logger.js';
import type { JobServiceApi } from './job-service-api.js';
import type { Clock, JobEvents, JobStore, Library, MessagePacer, PlaylistSource } from './ports.js';
import { diffListing, planTracks, trackKey, trackLabel } from './watch-diff.js';
import type { PlaylistJobEditor, PlaylistSnapshots, RemovedTrack, WatchCheckResult, WatchRecord, WatchStore } from './watch-ports.js';

export const DEFAULT_WATCH_EVERY_MS = 6 * 3600_000;
export const MIN_WATCH_EVERY_MS = 30 * 60_000;
/** A new track costs about one message of the daily budget (button presses are not counted there). */
const MESSAGES_PER_TRACK = 1;
const BUDGET_KINDS = new Set(['message', 'inline']);
const DAY_MS = 24 * 3600_000;
/** Retry later when something transient stood in the way (session offline, job still running). */
const SOON_MS = 15 * 60_000;

export interface WatchServiceDeps {
  store: WatchStore;
  editor: PlaylistJobEditor;
  jobStore: Pick<JobStore, 'getJob' | 'tracks' | 'listJobs' | 'updateJob' | 'outgoingTimes'>;
  jobs: Pick<JobServiceApi, 'createJob' | 'resume' | 'status'>;
  source: PlaylistSource;
  snapshots?: PlaylistSnapshots;
  library: Pick<Library, 'writePlaylist'>;
  pacer: Pick<MessagePacer, 'state'>;
  events: JobEvents;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** WATCH_DEFAULT_EVERY (default 6 h). */
  defaultEveryMs?: number;
}

export interface CheckOptions {
  /** Read and compare only: nothing is stored, nothing is sent. */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** false: the new tracks are queued in the job but the job is not started (the caller runs it). */
  startJob?: boolean;
}

export interface CheckOutcome {
  watch: WatchRecord;
  added: string[];
  removed: string[];
  unchanged: number;
  /** Set when the check did not run (or did not act): why, in plain words, and until when. */
  postponed?: { reason: string; until: number };
  skippedUnchanged?: boolean;
  jobId: number | null;
}

export class WatchService {
  private readonly unsubscribe: () => void;
  private loop: AbortController | null = null;
  private checking = new Set<number>();
  private readonly reporting = new Set<number>();

  constructor(private readonly deps: WatchServiceDeps) {
    this.unsubscribe = deps.events.subscribe((event) => {
      if (event.type === 'job_finished') this.onJobFinished(event.job);
    });
  }

  list(): WatchRecord[] {
    return this.deps.store.listWatches();
  }

  get(id: number): WatchRecord {
    const w = this.deps.store.getWatch(id);
    if (!w) throw new UserError(`There is no watch #${id}.`, 'See the list with /watches or `crate watch list`.');
    return w;
  }

  /**
   * True while a watch check's new tracks are downloading, and during the emit of that job's
   * job_finished (the watch tells the owner, not the job): the watch's own listener runs before the
   * bot's and clears the pending notice, so the job id is remembered until that emit is over.
   */
  isWatchRun(jobId: number): boolean {
    return this.reporting.has(jobId) || this.deps.store.listWatches().some((w) => w.pendingNotice?.jobId === jobId);
  }

  /**
   * Follows a playlist. Its job is the newest job of that playlist (or a new one); the tracks it holds
   * are what later checks compare with. A job never started is started now (unless `startJob` is
   * false: the CLI runs it in the foreground): watching means keeping it downloaded.
   */
  async add(link: string, options: { everyMs?: number; startJob?: boolean } = {}): Promise<{ watch: WatchRecord; job: JobRecord; created: boolean }> {
    const everyMs = checkInterval(options.everyMs ?? this.deps.defaultEveryMs ?? DEFAULT_WATCH_EVERY_MS);
    // The snapshot before the read: if the playlist changes in between, the first check reads it again.
    const snapshot = await this.probeSnapshot(link);
    const fresh = await this.deps.jobs.createJob(link);
    if (fresh.sourceType !== 'playlist' || fresh.sourceId.startsWith('list-')) {
      if (fresh.status === 'pending' && !fresh.startedAt) this.deps.jobStore.updateJob(fresh.id, { status: 'cancelled', pauseReason: 'not a playlist to watch', finishedAt: this.deps.clock.now() });
      throw new UserError('Only Spotify playlists can be watched (albums, tracks and track list files do not change).', 'Send a playlist link, e.g. https://open.spotify.com/playlist/…');
    }
    const existing = this.deps.store.findWatchBySource(fresh.sourceId);
    if (existing) return { watch: existing, job: fresh, created: false };
    // A finished job of the same playlist holds its files: sync that one instead of the new copy.
    const older = this.deps.jobStore
      .listJobs()
      .filter((j) => j.sourceId === fresh.sourceId && j.id !== fresh.id && j.status === 'done')
      .sort((a, b) => b.id - a.id)[0];
    let job = fresh;
    if (older && fresh.status === 'pending' && !fresh.startedAt) {
      this.deps.jobStore.updateJob(fresh.id, { status: 'cancelled', pauseReason: 'replaced by the watched playlist\'s job', finishedAt: this.deps.clock.now() });
      job = older;
    }
    const keys = this.deps.jobStore.tracks(job.id).sort((a, b) => a.position - b.position).map(trackKey);
    const now = this.deps.clock.now();
    const watch = this.deps.store.createWatch({ link, sourceId: job.sourceId, name: job.name, everyMs, nextCheckAt: this.nextAfter(now, everyMs) });
    // Only the fresh read lines up with the snapshot; an older job's rows are compared at the first check.
    const withJob = this.deps.store.updateWatch(watch.id, { jobId: job.id, trackKeys: keys, lastSnapshot: job === fresh ? snapshot : null });
    if (job.status === 'pending' && !job.startedAt && options.startJob !== false) job = await this.deps.jobs.resume(job.id);
    this.deps.logger.info({ watch: watch.id, job: job.id, everyMs }, 'watching a playlist');
    return { watch: withJob, job, created: true };
  }

  private async probeSnapshot(link: string): Promise<string | null> {
    try {
      return (await this.deps.snapshots?.snapshot(link)) ?? null;
    } catch (err) {
      this.deps.logger.debug({ err: errorMessage(err) }, 'no snapshot when adding a watch');
      return null;
    }
  }

  remove(id: number): void {
    this.get(id);
    this.deps.store.deleteWatch(id);
  }

  setPaused(id: number, paused: boolean): WatchRecord {
    const w = this.get(id);
    return this.deps.store.updateWatch(id, {
      status: paused ? 'paused' : 'active',
      ...(paused ? {} : { nextCheckAt: Math.min(w.nextCheckAt, this.nextAfter(this.deps.clock.now(), w.everyMs)) }),
    });
  }

  /** One check now. `dryRun` reads and compares only: nothing is stored, nothing is sent. */
  async check(id: number, options: CheckOptions = {}): Promise<CheckOutcome> {
    if (this.checking.has(id)) throw new UserError(`Watch #${id} is being checked right now.`);
    this.checking.add(id);
    try {
      return await this.checkOnce(this.get(id), options);
    } finally {
      this.checking.delete(id);
    }
  }

  private async checkOnce(w: WatchRecord, options: CheckOptions): Promise<CheckOutcome> {
    const { clock, store, jobStore, logger } = this.deps;
    const now = clock.now();
    const log = logger.child({ watch: w.id });
    const base = { watch: w, added: [], removed: [], unchanged: w.trackKeys.length, jobId: w.jobId };
    const postpone = (reason: string, until: number): CheckOutcome => {
      const updated = options.dryRun ? w : store.updateWatch(w.id, { nextCheckAt: until, lastError: reason });
      log.info({ reason, until }, 'watch check postponed');
      if (!options.dryRun && w.lastError !== reason) this.deps.events.emit({ type: 'watch_postponed', watchId: w.id, name: w.name, reason, until });
      return { ...base, watch: updated, postponed: { reason, until } };
    };

    const job = w.jobId !== null ? jobStore.getJob(w.jobId) : null;
    if (!options.dryRun) {
      const stop = await this.safetyStop(now);
      if (stop) return postpone(stop.reason, stop.until);
      if (job && (job.status === 'running' || job.status === 'pending')) {
        return postpone(`the playlist's job #${job.id} is still running; checking after it`, now + SOON_MS);
      }
    }

    let snapshot: string | null = null;
    let listing: SourceListing;
    try {
      snapshot = (await this.deps.snapshots?.snapshot(w.link, { signal: options.signal })) ?? null;
      if (snapshot !== null && snapshot === w.lastSnapshot) {
        const result: WatchCheckResult = { at: now, added: 0, removed: 0, unchanged: w.trackKeys.length, skippedUnchanged: true };
        const updated = options.dryRun ? w : store.updateWatch(w.id, { lastCheckAt: now, lastResult: result, lastError: null, nextCheckAt: this.nextAfter(now, w.everyMs) });
        return { ...base, watch: updated, skippedUnchanged: true };
      }
      listing = await this.deps.source.load(w.link, { signal: options.signal });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const limited = findCause(err, RateLimitedError);
      if (limited) return postpone(`Spotify asks to wait (${errorMessage(err)})`, now + limited.retryAfterSeconds * 1000 + 60_000);
      const reason = `could not read the playlist: ${errorMessage(err)}`;
      if (!options.dryRun) store.updateWatch(w.id, { lastCheckAt: now, lastError: reason, nextCheckAt: this.nextAfter(now, w.everyMs) });
      throw new UserError(`Watch #${w.id} (${w.name}): ${reason}`, undefined, { cause: err });
    }
    snapshot ??= listingHash(listing);

    const jobTracks = job ? jobStore.tracks(job.id) : [];
    const labels = new Map(jobTracks.map((t) => [trackKey(t), trackLabel(t)]));
    const diff = diffListing(w.trackKeys, labels, listing.tracks);
    const outcome = { added: diff.added.map(trackLabel), removed: diff.removed.map((r) => r.label), unchanged: diff.unchanged, jobId: w.jobId };
    if (options.dryRun) return { ...outcome, watch: w };

    if (diff.added.length > 0) {
      const budget = this.budgetFor(diff.added.length, now);
      if (budget) return postpone(budget.reason, budget.until);
    }
    if (!job) throw new UserError(`Watch #${w.id} has lost its job; remove it and watch the playlist again.`);

    const orderChanged = diff.added.length > 0 || diff.removed.length > 0 || !sameOrder(w.trackKeys, diff.keys);
    const { job: synced } = this.deps.editor.applyTrackPlan(job.id, planTracks(jobTracks, listing.tracks));
    const removed: RemovedTrack[] = [
      ...w.removed.filter((r) => !diff.keys.includes(r.key)),
      ...diff.removed.map((r) => ({ ...r, removedAt: now })),
    ].slice(-500);
    const result: WatchCheckResult = { at: now, added: diff.added.length, removed: diff.removed.length, unchanged: diff.unchanged, skippedUnchanged: false };
    const addedKeys = diff.added.map(trackKey);
    let updated = store.updateWatch(w.id, {
      name: listing.source.name || w.name,
      trackKeys: diff.keys,
      lastSnapshot: snapshot,
      removed,
      lastCheckAt: now,
      lastResult: result,
      lastError: null,
      nextCheckAt: this.nextAfter(now, w.everyMs),
      pendingNotice: addedKeys.length > 0 ? { jobId: synced.id, addedKeys, removed: diff.removed.length, at: now } : null,
    });
    log.info({ added: diff.added.length, removed: diff.removed.length, unchanged: diff.unchanged }, 'watch check');
    if (addedKeys.length > 0) {
      // The CLI runs the job in the foreground itself (`crate watch check`); serve queues it.
      if (options.startJob !== false) await this.deps.jobs.resume(synced.id);
    } else if (orderChanged) {
      // Nothing to fetch, but the playlist file must follow Spotify's order (and lose what left).
      await this.deps.library.writePlaylist(synced, jobStore.tracks(synced.id));
      if (diff.removed.length > 0) this.emitReport(updated, synced.id, [], diff.removed.length);
    }
    updated = store.getWatch(w.id) ?? updated;
    return { ...outcome, watch: updated };
  }

  /** Runs due checks until stopped: one at a time, at their time (with jitter already in nextCheckAt). */
  start(): void {
    if (this.loop) return;
    const loop = new AbortController();
    this.loop = loop;
    void (async () => {
      while (!loop.signal.aborted) {
        const now = this.deps.clock.now();
        const due = this.deps.store.listWatches().filter((w) => w.status === 'active' && w.nextCheckAt <= now);
        for (const w of due) {
          if (loop.signal.aborted) break;
          try {
            await this.check(w.id, { signal: loop.signal });
          } catch (err) {
            if (loop.signal.aborted) break;
            this.deps.logger.warn({ watch: w.id, err: errorMessage(err) }, 'watch check failed');
          }
        }
        const next = Math.min(...this.deps.store.listWatches().filter((w) => w.status === 'active').map((w) => w.nextCheckAt), now + 60_000);
        try {
          await this.deps.clock.sleep(Math.max(1000, Math.min(next - this.deps.clock.now(), 60_000)), loop.signal);
        } catch {
          break;
        }
      }
    })();
  }

  stop(): void {
    this.loop?.abort();
    this.loop = null;
    this.unsubscribe();
  }

  private onJobFinished(job: JobRecord): void {
    for (const w of this.deps.store.listWatches()) {
      const notice = w.pendingNotice;
      if (!notice || notice.jobId !== job.id) continue;
      this.reporting.add(job.id);
      // Synchronous emitter: every listener of this job_finished has run when the microtask does.
      queueMicrotask(() => this.reporting.delete(job.id));
      this.emitReport(w, job.id, notice.addedKeys, notice.removed);
    }
  }

  private emitReport(w: WatchRecord, jobId: number, addedKeys: string[], removed: number): void {
    const wanted = new Set(addedKeys);
    const tracks = this.deps.jobStore.tracks(jobId).filter((t) => wanted.has(trackKey(t)));
    const downloaded = tracks.filter((t) => t.state === 'done' || t.state === 'skipped').length;
    const notFound = tracks.filter((t) => t.state === 'not_found' || t.state === 'mismatch').length;
    const failed = tracks.length - downloaded - notFound;
    const result = { ...(w.lastResult ?? { at: this.deps.clock.now(), added: addedKeys.length, removed, unchanged: 0, skippedUnchanged: false }), downloaded, notFound, failed };
    this.deps.store.updateWatch(w.id, { pendingNotice: null, lastResult: result });
    const removedLabels = w.removed.slice(-removed).map((r) => r.label);
    this.deps.events.emit({ type: 'watch_report', watchId: w.id, name: w.name, jobId, added: addedKeys.length, downloaded, notFound, failed, removed, removedLabels });
  }

  /** A safety stop in force (FloodWait, a job paused by one, no usable session): no check runs. */
  private async safetyStop(now: number): Promise<{ reason: string; until: number } | null> {
    const pacer = this.deps.pacer.state();
    if (pacer.floodUntil !== null && pacer.floodUntil > now) return { reason: 'a Telegram flood wait is in force', until: pacer.floodUntil + 60_000 };
    const paused = this.deps.jobStore.listJobs().find((j) => j.status === 'paused' && isSafetyReason(j.pauseReason));
    if (paused) return { reason: `job #${paused.id} is paused by a safety stop (${paused.pauseReason}); resume it first`, until: now + SOON_MS };
    const { session } = await this.deps.jobs.status();
    if (session.state !== 'ready') {
      const words = { no_session: 'not logged in', expired: 'expired', offline: 'offline' }[session.state];
      return { reason: `the Telegram user session is ${words}`, until: now + SOON_MS };
    }
    return null;
  }

  /** Null when the rest of the day's budget covers `tracks`; else why and when it will. */
  private budgetFor(tracks: number, now: number): { reason: string; until: number } | null {
    const { dailyBudget } = this.deps.pacer.state();
    const sent = this.deps.jobStore
      .outgoingTimes(now - DAY_MS)
      .filter((o) => BUDGET_KINDS.has(o.kind))
      .map((o) => o.sentAt)
      .sort((a, b) => a - b);
    const need = tracks * MESSAGES_PER_TRACK;
    const left = dailyBudget - sent.length;
    if (need <= left) return null;
    // The budget is per rolling 24 h: it frees as the oldest messages of the window age out.
    const mustFree = Math.min(need - left, sent.length);
    const until = need > dailyBudget ? now + DAY_MS : (sent[mustFree - 1] ?? now) + DAY_MS + 60_000;
    return {
      reason: `${tracks} new track${tracks === 1 ? '' : 's'} need about ${need} messages and the daily budget has ${Math.max(0, left)} left; checking again when it has`,
      until,
    };
  }

  private nextAfter(now: number, everyMs: number): number {
    // ±10 % so that watches added together do not all check at the same minute.
    const jitter = ((this.deps.random ?? Math.random)() * 0.2 - 0.1) * everyMs;
    return Math.round(now + everyMs + jitter);
  }
}

export function checkInterval(ms: number): number {
  if (!Number.isFinite(ms) || ms < MIN_WATCH_EVERY_MS) {
    throw new UserError('A watched playlist is checked at most every 30 minutes.', 'Use an interval like 30m, 6h or 1d.');
  }
  return Math.round(ms);
}

/** "30m", "6h", "1d", "90" (minutes) → ms. */
export function parseInterval(text: string): number {
  const ms = parseIntervalMs(text);
  if (ms === null) throw new UserError(`"${text}" is not an interval.`, 'Use 30m, 6h or 1d.');
  return checkInterval(ms);
}

function isSafetyReason(reason: string | null): boolean {
  if (!reason) return false;
  return !/paused by you|Crate was stopped|tracks queued again|replaced by/i.test(reason);
}

function listingHash(listing: SourceListing): string {
  return `list:${createHash('sha256').update(listing.tracks.map(trackKey).join('\n')).digest('base64url').slice(0, 22)}`;
}

function sameOrder(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function findCause<T>(err: unknown, type: abstract new (...args: never[]) => T): T | null {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
  }
  return null;
}
