import { setMaxListeners } from 'node:events';
import type { Logger } from '../logger.js';
import {
  FloodWaitError,
  SafetyStopError,
  SessionExpiredError,
  TELEGRAM_UNREACHABLE_REASON,
  TelegramUnreachableError,
  TurnLostError,
  errorMessage,
  storageErrorOf,
} from '../domain/errors.js';
import { FINAL_TRACK_STATES, IN_FLIGHT_TRACK_STATES, type JobRecord, type TrackRecord } from '../domain/job.js';
import { abortError, isAbortError } from './clock.js';
import { formatSeconds } from './pacer.js';
import type {
  AcquireOutcome,
  Clock,
  JobEvents,
  JobStore,
  Library,
  MessagePacer,
  TrackAcquirer,
  TrackProgressPatch,
} from './ports.js';
import { backoffDelayMs, canRetry, type BackoffOptions } from './retry.js';
import { FORGET_EXCHANGE } from './ask-afresh.js';
import { LostTurns } from './lost-turns.js';

export interface JobRunnerDeps {
  store: JobStore;
  acquirer: TrackAcquirer;
  library: Library;
  pacer: MessagePacer;
  events: JobEvents;
  clock: Clock;
  logger: Logger;
  /** Retries after the first attempt, for retryable failures (MAX_RETRIES). */
  maxRetries: number;
  /** A track with no sign of life (no step recorded, no bytes) for this long is given up and retried (RESPONSE_TIMEOUT). */
  responseTimeoutMs: number;
  backoff?: Partial<BackoffOptions>;
  /** FloodWaits in one run before the job pauses as a safety stop. */
  floodWaitLimit?: number;
  /** The m3u8 is rewritten as tracks land, at most this often (and always at the end). */
  playlistWriteIntervalMs?: number;
}

export type StopKind = 'pause' | 'cancel';

/** FloodWaits at least this long are written on the job, with the time sending goes on. */
export const LONG_FLOOD_WAIT_SECONDS = 180;

interface QueueItem {
  trackId: number;
  readyAt: number;
}

interface Active {
  controller: AbortController;
  receivedBytes: number;
  totalBytes: number;
}

/** Thrown inside the runner when a track shows no sign of life for RESPONSE_TIMEOUT. */
class TrackTimeoutError extends Error {
  override readonly name = 'TrackTimeoutError';
}

export interface RunnerSnapshot {
  activeTrackIds: number[];
  /** Bytes received in this run: finished downloads plus the ones in progress. */
  receivedBytes: number;
  runStartedAt: number;
  /** Tracks that reached a final state in this run. */
  finishedThisRun: number;
}

/**
 * Runs one job: a window of tracks in flight (the pacer decides when each message really goes),
 * every step persisted before it is taken, one track's failure never stopping the others, and
 * safety signals pausing the whole job. A stopped run leaves each track in its persisted state;
 * the next run resumes there (in-flight tracks first, so the acquirer can read the chat history
 * for answers that came while we were away).
 */
export class JobRunner {
  private readonly queue: QueueItem[] = [];
  private readonly active = new Map<number, Active>();
  private readonly running = new Map<number, Promise<void>>();
  private readonly runController = new AbortController();
  private stopRequest: { kind: StopKind; reason: string; safetyStop: boolean; drain: boolean } | null = null;
  private wakeUp: (() => void) | null = null;
  private floodWaits = 0;
  private readonly lostTurns = new LostTurns();
  private bytesDone = 0;
  private finishedThisRun = 0;
  private runStartedAt = 0;
  private lastPlaylistWrite = -Infinity;
  private playlistWrite: Promise<string | null> = Promise.resolve(null);
  /** Clears the job's long-FloodWait note when the wait is over. */
  private floodNoteTimer: AbortController | null = null;
  private job!: JobRecord;
  private readonly window: number;
  private readonly log: Logger;

  constructor(
    private readonly deps: JobRunnerDeps,
    readonly jobId: number,
    options: { batchSize?: number } = {},
  ) {
    const job = deps.store.getJob(jobId);
    if (!job) throw new Error(`No job ${jobId}`);
    // One listener per track in flight; a window above 10 is normal, not a leak.
    setMaxListeners(0, this.runController.signal);
    this.job = job;
    this.window = Math.max(1, Math.floor(options.batchSize ?? job.options.batchSize ?? 1));
    this.log = deps.logger;
  }

  /**
   * Asks the run to stop at a safe point: in-flight tracks are aborted and keep their persisted
   * state. With `drain`, nothing new starts but tracks already asked for may finish first (used
   * when our own daily budget runs out: their requests are already spent).
   */
  stop(kind: StopKind, reason: string, safetyStop = false, drain = false): void {
    const current = this.stopRequest;
    // A hard stop overrides a drain, a cancel overrides a pause; otherwise the first reason wins.
    if (current && !(current.drain && !drain) && !(kind === 'cancel' && current.kind === 'pause')) return;
    this.stopRequest = { kind, reason: current && current.kind === kind ? current.reason : reason, safetyStop: safetyStop || Boolean(current?.safetyStop), drain };
    if (!drain) this.runController.abort(abortError(undefined));
    this.wake();
  }

  /** A track was put back in the queue (retry, chosen row) while the job runs. */
  enqueue(trackId: number): void {
    if (this.running.has(trackId) || this.queue.some((q) => q.trackId === trackId)) return;
    const track = this.deps.store.getTrack(trackId);
    this.queue.push({ trackId, readyAt: track?.nextAttemptAt ?? 0 });
    this.wake();
  }

  snapshot(): RunnerSnapshot {
    let inProgress = 0;
    for (const a of this.active.values()) inProgress += a.receivedBytes;
    return {
      activeTrackIds: [...this.active.keys()],
      receivedBytes: this.bytesDone + inProgress,
      runStartedAt: this.runStartedAt,
      finishedThisRun: this.finishedThisRun,
    };
  }

  async run(signal?: AbortSignal): Promise<JobRecord> {
    const { store, clock, events } = this.deps;
    const onAbort = () => this.stop('pause', 'interrupted');
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      this.runStartedAt = clock.now();
      this.job = store.updateJob(this.jobId, {
        status: 'running',
        pauseReason: null,
        startedAt: this.job.startedAt ?? this.runStartedAt,
        finishedAt: null,
      });
      events.emit({ type: 'job_started', job: this.job });
      this.log.info({ total: this.job.total, window: this.window }, 'job started');
      // A long FloodWait from before a restart still holds: say so on the job again.
      this.noteLongFloodWait();
      this.fillQueue();
      await this.loop();
      await Promise.allSettled([...this.running.values()]);
      return await this.finish();
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private fillQueue(): void {
    const all = this.deps.store.tracks(this.jobId);
    // In-flight tracks first: their requests were sent before the restart.
    for (const t of all) if (IN_FLIGHT_TRACK_STATES.includes(t.state)) this.queue.push({ trackId: t.id, readyAt: 0 });
    for (const t of all) if (t.state === 'queued') this.queue.push({ trackId: t.id, readyAt: t.nextAttemptAt ?? 0 });
  }

  private async loop(): Promise<void> {
    const { clock } = this.deps;
    for (;;) {
      if (this.stopRequest && (!this.stopRequest.drain || this.running.size === 0)) break;
      while (this.running.size < this.window && !this.stopRequest) {
        const next = this.takeReady(clock.now());
        if (!next) break;
        this.launch(next.trackId);
      }
      if (this.running.size === 0 && (this.queue.length === 0 || this.stopRequest)) break;
      const wakeAt = this.running.size < this.window && !this.stopRequest ? this.earliestReady() : null;
      const timer = new AbortController();
      const woken = new Promise<void>((resolve) => (this.wakeUp = resolve));
      const sleeps: Promise<void>[] = [woken];
      if (wakeAt !== null) sleeps.push(clock.sleep(Math.max(0, wakeAt - clock.now()), timer.signal).catch(() => {}));
      await Promise.race(sleeps);
      timer.abort();
      this.wakeUp = null;
    }
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private takeReady(now: number): QueueItem | null {
    let best = -1;
    for (let i = 0; i < this.queue.length; i++) {
      const q = this.queue[i]!;
      if (q.readyAt > now) continue;
      best = i;
      break; // the queue is in the order tracks should go (in-flight first, then playlist order)
    }
    if (best < 0) return null;
    return this.queue.splice(best, 1)[0] ?? null;
  }

  private earliestReady(): number | null {
    let min: number | null = null;
    for (const q of this.queue) if (min === null || q.readyAt < min) min = q.readyAt;
    return min;
  }

  private launch(trackId: number): void {
    const p = this.processTrack(trackId)
      .catch((err: unknown) => this.log.error({ err, trackId }, 'track processing failed unexpectedly'))
      .finally(() => {
        this.running.delete(trackId);
        this.active.delete(trackId);
        this.wake();
      });
    this.running.set(trackId, p);
  }

  private async processTrack(trackId: number): Promise<void> {
    const { store, library } = this.deps;
    let track = store.getTrack(trackId);
    if (!track || FINAL_TRACK_STATES.includes(track.state)) return;
    const controller = new AbortController();
    const onRunAbort = () => controller.abort(abortError(undefined));
    this.runController.signal.addEventListener('abort', onRunAbort, { once: true });
    const active: Active = { controller, receivedBytes: 0, totalBytes: 0 };
    this.active.set(trackId, active);
    try {
      if (this.runController.signal.aborted) return;
      if (track.state === 'queued') {
        const existing = await library.findExisting(track, this.job);
        if (existing) {
          const linked = await library.linkExisting(this.job, track, existing.path);
          this.setTrack(track.id, { state: 'skipped', filePath: linked, audio: existing.audio, lastError: null, nextAttemptAt: null });
          this.trackFinished(true);
          return;
        }
      }
      const downloadPath = await library.downloadPath(this.job, track);
      if (track.state === 'verifying' || track.state === 'downloading') {
        // The file was complete before the restart (the downloader names it only once whole):
        // verify it again rather than fetch it or ask the bot again.
        const stored = await this.tryAccept(track, downloadPath);
        if (stored) return;
        // Killed after the move into the library but before this row said so: the file is there already.
        const existing = await library.findExisting(track, this.job);
        if (existing) {
          const linked = await library.linkExisting(this.job, track, existing.path);
          const audio = existing.audio ? { ...existing.audio, quality: existing.audio.quality ?? this.job.options.quality } : null;
          this.setTrack(track.id, { state: 'done', attempts: track.attempts + 1, filePath: linked, audio, lastError: null, nextAttemptAt: null });
          this.trackFinished(true);
          return;
        }
        track = store.getTrack(trackId) ?? track;
      }
      const outcome = await this.acquireWatched(track, downloadPath, active);
      await this.settle(trackId, outcome);
    } catch (err) {
      await this.handleError(trackId, err);
    } finally {
      this.runController.signal.removeEventListener('abort', onRunAbort);
    }
  }

  /** Runs the acquirer under the inactivity timeout; a FloodWait in progress stretches the deadline. */
  private async acquireWatched(track: TrackRecord, downloadPath: string, active: Active): Promise<AcquireOutcome> {
    const { clock, acquirer, pacer } = this.deps;
    const timeoutMs = this.deps.responseTimeoutMs;
    // The clock starts when the request is on its way (first recorded step), or at once for a resumed track.
    let armed = track.state !== 'queued';
    let lastActivity = clock.now();
    let detached = false;
    // While the file waits behind other downloads (at most N per data centre), nobody is silent:
    // the bot has answered and the queue is ours. Its time does not count, however long it is.
    let queuedForDownload = false;
    const touch = () => {
      armed = true;
      lastActivity = clock.now();
    };
    const watchdogStop = new AbortController();
    const watchdog = (async (): Promise<never> => {
      for (;;) {
        const now = clock.now();
        const flood = pacer.state().floodUntil ?? 0;
        const deadline = (armed && !queuedForDownload ? Math.max(lastActivity, flood) : now) + timeoutMs;
        if (armed && now >= deadline) throw new TrackTimeoutError(`no answer from the bot within ${Math.round(timeoutMs / 1000)} s`);
        await clock.sleep(deadline - now, watchdogStop.signal);
      }
    })();
    watchdog.catch(() => {});
    const acquiring = acquirer.acquire({
      track,
      downloadPath,
      quality: this.job.options.quality,
      signal: active.controller.signal,
      record: async (patch: TrackProgressPatch) => {
        if (detached) return;
        if (active.controller.signal.aborted) {
          // What already happened (our message went out, the bot's reply or file is known) is kept
          // even while stopping, so the next run reads the chat instead of asking again.
          const facts = alreadyHappened(patch);
          if (facts) this.setTrack(track.id, facts);
          throw abortError(active.controller.signal);
        }
        touch();
        this.setTrack(track.id, patch);
      },
      onBytes: (receivedBytes, totalBytes) => {
        if (detached) return;
        touch();
        active.receivedBytes = receivedBytes;
        active.totalBytes = totalBytes;
        this.deps.events.emit({ type: 'bytes', jobId: this.jobId, trackId: track.id, receivedBytes, totalBytes });
      },
      onDownloadQueued: (queued) => {
        if (detached) return;
        queuedForDownload = queued;
        touch();
      },
    });
    try {
      return await Promise.race([acquiring, watchdog]);
    } catch (err) {
      if (err instanceof TrackTimeoutError) {
        active.controller.abort(err);
        // Let the acquirer wind down (it was told to stop) so it writes nothing after we decide.
        const grace = new AbortController();
        await Promise.race([acquiring.catch(() => {}), clock.sleep(10_000, grace.signal).catch(() => {})]);
        grace.abort();
        detached = true;
      }
      throw err;
    } finally {
      watchdogStop.abort();
    }
  }

  private async settle(trackId: number, outcome: AcquireOutcome): Promise<void> {
    this.lostTurns.clear(trackId);
    const track = this.deps.store.getTrack(trackId);
    if (!track) return;
    switch (outcome.kind) {
      case 'downloaded': {
        this.bytesDone += outcome.sizeBytes;
        // Counted once: the finished download leaves the in-progress sum (it stays active while verifying).
        const active = this.active.get(trackId);
        if (active) active.receivedBytes = 0;
        const verifying = this.setTrack(trackId, {
          state: 'verifying',
          pickedRow: outcome.pickedRow,
          receivedFile: outcome.receivedFile,
        });
        await this.accept(verifying, outcome.path);
        return;
      }
      case 'not_found':
        this.setTrack(trackId, { state: 'not_found', attempts: track.attempts + 1, lastError: outcome.reason, nextAttemptAt: null });
        this.trackFinished(false);
        return;
      case 'mismatch':
        this.setTrack(trackId, {
          state: 'mismatch',
          attempts: track.attempts + 1,
          lastError: outcome.reason,
          pickedRow: outcome.pickedRow,
          receivedFile: outcome.receivedFile,
          nextAttemptAt: null,
        });
        this.trackFinished(false);
        return;
      case 'failed':
        this.retryOrFail(track, outcome.reason, outcome.retryable);
        return;
    }
  }

  private async accept(track: TrackRecord, path: string): Promise<void> {
    const result = await this.deps.library.accept(this.job, track, path);
    if (result.kind === 'stored') {
      this.setTrack(track.id, {
        state: 'done',
        attempts: track.attempts + 1,
        filePath: result.path,
        quarantinePath: null,
        audio: result.audio,
        lastError: null,
        nextAttemptAt: null,
      });
      this.trackFinished(true);
    } else {
      this.setTrack(track.id, {
        state: 'mismatch',
        attempts: track.attempts + 1,
        quarantinePath: result.path,
        audio: result.audio,
        lastError: result.reason,
        nextAttemptAt: null,
      });
      this.trackFinished(false);
    }
  }

  private async tryAccept(track: TrackRecord, downloadPath: string): Promise<boolean> {
    try {
      await this.accept(track, downloadPath);
      return true;
    } catch (err) {
      this.log.debug({ err, trackId: track.id }, 'no complete download to verify after restart; asking again');
      return false;
    }
  }

  private retryOrFail(track: TrackRecord, reason: string, retryable: boolean): void {
    const attempts = track.attempts + 1;
    if (retryable && canRetry(attempts, this.deps.maxRetries)) {
      const readyAt = this.deps.clock.now() + backoffDelayMs(attempts, this.deps.backoff);
      this.setTrack(track.id, {
        state: 'queued',
        attempts,
        lastError: reason,
        nextAttemptAt: readyAt,
        ...FORGET_EXCHANGE,
      });
      this.queue.push({ trackId: track.id, readyAt });
      this.log.info({ trackId: track.id, attempts, reason }, 'track will be retried');
    } else {
      this.setTrack(track.id, { state: 'failed', attempts, lastError: reason, nextAttemptAt: null });
      this.trackFinished(false);
      this.log.warn({ trackId: track.id, attempts, reason }, 'track failed');
    }
  }

  private async handleError(trackId: number, err: unknown): Promise<void> {
    const track = this.deps.store.getTrack(trackId);
    if (!track) return;
    if (err instanceof FloodWaitError) {
      // Our pacer refusing a send for a wait already in force is not another slow-down from Telegram.
      if (!err.alreadyKnown) {
        this.deps.pacer.noteFloodWait(err.seconds);
        this.floodWaits++;
      }
      this.log.warn({ seconds: err.seconds, count: this.floodWaits }, 'Telegram flood wait');
      this.noteLongFloodWait();
      // Keep its persisted step: the next attempt reads the chat before asking again.
      this.queue.unshift({ trackId, readyAt: 0 });
      if (this.floodWaits >= (this.deps.floodWaitLimit ?? 3)) {
        this.stop(
          'pause',
          `Telegram asked us to slow down ${this.floodWaits} times (last wait ${err.seconds} s); paused to protect your account. Resume later.`,
          true,
        );
      }
      return;
    }
    if (err instanceof TurnLostError && this.lostTurns.forgive(trackId)) {
      // Nothing went out: the track keeps its persisted step and its attempts, and waits for a
      // fresh turn (a full gap after the last real send) like any other track.
      this.log.info({ trackId, reason: err.message }, 'turn given up before the send; the track asks again');
      this.queue.unshift({ trackId, readyAt: 0 });
      return;
    }
    if (err instanceof SafetyStopError) {
      // Ask afresh next time: the reply to this request was the stop signal itself.
      this.setTrack(trackId, { state: 'queued', ...FORGET_EXCHANGE, nextAttemptAt: null });
      this.stop('pause', err.message, true, err.signal === 'budget');
      return;
    }
    if (err instanceof TelegramUnreachableError) {
      // Not this track's fault: it keeps its step and the job waits for the link (the owner
      // hears about the outage once, from the connection event, not per track).
      this.log.warn({ trackId, detail: err.detail }, 'Telegram cannot be reached; pausing the job until it is back');
      this.queue.unshift({ trackId, readyAt: 0 });
      this.stop('pause', TELEGRAM_UNREACHABLE_REASON);
      return;
    }
    if (err instanceof SessionExpiredError) {
      this.deps.events.emit({ type: 'session_expired', message: err.message, notLoggedIn: err.notLoggedIn, code: err.code });
      this.stop('pause', err.message, true);
      return;
    }
    const storage = storageErrorOf(err);
    if (storage) {
      // Disk full / read-only: every next track would fail the same way (and spend a message to the
      // bot each). The track keeps its persisted step: a file already in the chat is fetched again
      // from there on resume, never asked for again.
      this.log.error({ err, trackId, code: storage.code }, 'cannot write the library; pausing the job');
      this.stop('pause', storage.message, true);
      return;
    }
    if (isAbortError(err) && this.runController.signal.aborted) return; // stopping: the persisted step stays
    const reason = err instanceof TrackTimeoutError ? err.message : `error: ${errorMessage(err)}`;
    if (!(err instanceof TrackTimeoutError)) this.log.warn({ err, trackId }, 'track attempt failed');
    this.retryOrFail(track, reason, true);
  }

  /**
   * A long FloodWait is written on the job (`crate status`, /status show it) with the time sending
   * goes on; the job keeps running and goes on by itself. Cleared when the wait is over.
   */
  private noteLongFloodWait(): void {
    const { clock, pacer, store } = this.deps;
    const until = pacer.state().floodUntil;
    const now = clock.now();
    if (until === null || until - now < LONG_FLOOD_WAIT_SECONDS * 1000) return;
    const at = new Date(until).toISOString().slice(11, 16);
    const note = `Telegram asked Crate to wait ${formatSeconds(until - now)} (flood limit): nothing is sent to the bot before ${at} UTC; the job goes on by itself then.`;
    this.job = store.updateJob(this.jobId, { pauseReason: note });
    this.floodNoteTimer?.abort();
    const timer = new AbortController();
    this.floodNoteTimer = timer;
    clock.sleep(until - now, timer.signal).then(
      () => {
        if (this.stopRequest || store.getJob(this.jobId)?.pauseReason !== note) return;
        this.job = store.updateJob(this.jobId, { pauseReason: null });
      },
      () => undefined,
    );
  }

  private setTrack(trackId: number, patch: Parameters<JobStore['updateTrack']>[1]): TrackRecord {
    const track = this.deps.store.updateTrack(trackId, patch);
    this.deps.events.emit({ type: 'track_changed', job: this.job, track });
    return track;
  }

  private trackFinished(landed: boolean): void {
    this.finishedThisRun++;
    if (!landed) return;
    const now = this.deps.clock.now();
    // Each write reads every track: for big jobs write less often, so the total work stays linear.
    const interval = Math.max(this.deps.playlistWriteIntervalMs ?? 5000, this.job.total * 100);
    if (now - this.lastPlaylistWrite >= interval) {
      this.lastPlaylistWrite = now;
      void this.writePlaylist();
    }
  }

  private writePlaylist(): Promise<string | null> {
    this.playlistWrite = this.playlistWrite
      .catch(() => null)
      .then(() => this.deps.library.writePlaylist(this.job, this.deps.store.tracks(this.jobId)))
      .catch((err: unknown) => {
        this.log.warn({ err }, 'could not write the playlist file');
        return null;
      });
    return this.playlistWrite;
  }

  private async finish(): Promise<JobRecord> {
    const { store, events, clock, library } = this.deps;
    const stop = this.stopRequest;
    this.floodNoteTimer?.abort();
    const playlistFile = await this.writePlaylist();
    const counts = store.counts(this.jobId);
    const elapsedMs = clock.now() - this.runStartedAt;
    if (stop?.kind === 'cancel') {
      this.job = store.updateJob(this.jobId, { status: 'cancelled', pauseReason: stop.reason, finishedAt: clock.now() });
      await library.discardDownloads(this.job).catch(() => {});
      events.emit({ type: 'job_finished', job: this.job, counts, playlistFile, elapsedMs });
      this.log.info({ counts }, 'job cancelled');
    } else if (stop) {
      this.job = store.updateJob(this.jobId, { status: 'paused', pauseReason: stop.reason });
      events.emit({ type: 'job_paused', job: this.job, reason: stop.reason, safetyStop: stop.safetyStop });
      this.log.info({ reason: stop.reason, safetyStop: stop.safetyStop }, 'job paused');
    } else {
      this.job = store.updateJob(this.jobId, { status: 'done', pauseReason: null, finishedAt: clock.now() });
      await library.discardDownloads(this.job).catch((err: unknown) => this.log.warn({ err }, 'could not clean partial downloads'));
      const notes = library.finishNotes?.(this.job, store.tracks(this.jobId)) ?? [];
      events.emit({ type: 'job_finished', job: this.job, counts, playlistFile, elapsedMs, ...(notes.length > 0 ? { notes } : {}) });
      this.log.info({ counts, elapsedMs }, 'job finished');
    }
    return this.job;
  }
}

/** The parts of a progress patch that record facts (ids of messages that exist), not intentions. */
function alreadyHappened(patch: TrackProgressPatch): TrackProgressPatch | null {
  const facts: TrackProgressPatch = {};
  if (patch.requestMessageId != null) facts.requestMessageId = patch.requestMessageId;
  if (patch.menuMessageId != null) facts.menuMessageId = patch.menuMessageId;
  if (patch.fileMessageId != null) facts.fileMessageId = patch.fileMessageId;
  if (patch.receivedFile != null) facts.receivedFile = patch.receivedFile;
  // Cleared once Telegram confirmed the action: it went out, whatever else is stopping.
  if (patch.sendingAfterId === null) facts.sendingAfterId = null;
  return Object.keys(facts).length > 0 ? facts : null;
}
