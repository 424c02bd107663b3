/**
 * An in-memory JobServiceApi that behaves like the real one from the outside: jobs run one after
 * another on a timer, tracks move queued → requested → downloading → verifying → a final state
 * (scripted per position), bytes arrive in parts, and every change is emitted as a JobEvent.
 * Tests script outcomes, trigger safety stops, FloodWaits and session expiry, and inspect `calls`.
 */
import { UserError } from '../../src/domain/errors.js';
import { emptyCounts, type JobOptions, type JobRecord, type TrackRecord, type TrackState } from '../../src/domain/job.js';
import type { SessionStatus } from '../../src/domain/telegram.js';
import type { SourceListing, TrackInfo } from '../../src/domain/track.js';
import type { JobProgress, JobServiceApi, ServiceStatus } from '../../src/engine/job-service-api.js';
import type { JobEvent, JobEvents, PacerState } from '../../src/engine/ports.js';

export class SimpleJobEvents implements JobEvents {
  private readonly listeners = new Set<(event: JobEvent) => void>();
  emit(event: JobEvent): void {
    for (const l of [...this.listeners]) l(event);
  }
  subscribe(listener: (event: JobEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

export type ScriptedOutcome = 'done' | 'not_found' | 'mismatch' | 'failed' | 'skipped';

export interface FakeJobServiceOptions {
  /** Link → listing; links not here are refused with a UserError like a real source would. */
  listings: Record<string, SourceListing>;
  /** Outcome of the track at a position (default done); consulted on each attempt. */
  outcome?: (position: number, attempt: number) => ScriptedOutcome;
  /** Milliseconds per state step. */
  tickMs?: number;
  /** Tracks in flight at once. */
  parallel?: number;
  fileSizeBytes?: number;
  outputDir?: string;
  session?: SessionStatus;
}

const DEFAULT_OPTIONS: JobOptions = {
  limit: null,
  startFrom: 1,
  batchSize: 12,
  organizeBy: 'playlist',
  yearFolders: false,
  outputDir: '/music',
  fileTemplate: '{artists} - {title}',
  quality: 'high',
};

const NEXT_STATE: Partial<Record<TrackState, TrackState>> = { queued: 'requested', requested: 'picked', picked: 'downloading' };

export function makeListing(name: string, count: number, overrides: Partial<SourceListing['source']> = {}, warnings: string[] = []): SourceListing {
  const tracks: TrackInfo[] = Array.from({ length: count }, (_, i) => ({
    position: i + 1,
    spotifyId: `sp${i + 1}`.padEnd(22, 'x'),
    artists: [`Artist ${i + 1}`],
    title: `Song ${i + 1}`,
    album: `Album ${Math.floor(i / 10) + 1}`,
    durationMs: 180_000 + i * 1000,
    isrc: `USRC1${String(i).padStart(7, '0')}`,
    releaseYear: 2020,
  }));
  return {
    source: { type: 'playlist', id: name.replace(/\W/g, '').slice(0, 22), name, total: count, backend: 'user', ...overrides },
    tracks,
    warnings,
  };
}

export class FakeJobService implements JobServiceApi {
  readonly events = new SimpleJobEvents();
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly jobs = new Map<number, JobRecord>();
  private readonly tracksByJob = new Map<number, TrackRecord[]>();
  private readonly bytes = new Map<number, number>();
  private readonly queue: number[] = [];
  private readonly choices = new Map<number, string>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextJobId = 1;
  private nextTrackId = 1;
  private session: SessionStatus;
  private pacer: PacerState = { floodUntil: null, nextMessageAt: 0, sentToday: 0, dailyBudget: 400, describe: '' };
  private readonly opts: Required<Omit<FakeJobServiceOptions, 'session'>>;

  constructor(options: FakeJobServiceOptions) {
    this.opts = {
      outcome: () => 'done',
      tickMs: 10,
      parallel: 2,
      fileSizeBytes: 40 * 1024 * 1024,
      outputDir: '/music',
      ...options,
    };
    this.session = options.session ?? { state: 'ready', user: 'Owner', detail: null };
  }

  // ---- test controls ----------------------------------------------------------------------

  safetyStop(jobId: number, reason: string): void {
    const job = this.setJob(jobId, { status: 'paused', pauseReason: reason });
    this.events.emit({ type: 'job_paused', job, reason, safetyStop: true });
  }

  expireSession(message = 'AUTH_KEY_UNREGISTERED'): void {
    this.session = { state: 'expired', user: null, detail: message };
    this.events.emit({ type: 'session_expired', message: `Telegram session is no longer valid (${message}): log in again`, code: message });
  }

  floodWait(seconds: number, reason = 'Telegram flood limit'): void {
    this.pacer = { ...this.pacer, floodUntil: Date.now() + seconds * 1000, describe: `waiting ${seconds} s: ${reason}` };
    this.events.emit({ type: 'pacer_waiting', seconds, reason });
  }

  setSession(session: SessionStatus): void {
    this.session = session;
  }

  tracks(jobId: number): TrackRecord[] {
    this.getJob(jobId);
    return this.tracksByJob.get(jobId) ?? [];
  }

  // ---- JobServiceApi ----------------------------------------------------------------------

  async preview(link: string): Promise<SourceListing> {
    this.calls.push({ method: 'preview', args: [link] });
    return this.listing(link);
  }

  async createJob(link: string, options: Partial<JobOptions> & { resume?: boolean } = {}): Promise<JobRecord> {
    this.calls.push({ method: 'createJob', args: [link, options] });
    const listing = this.listing(link);
    const { resume = true, ...jobOptions } = options;
    if (resume) {
      const existing = [...this.jobs.values()].find(
        (j) => j.sourceId === listing.source.id && !['done', 'cancelled'].includes(j.status),
      );
      if (existing) return existing;
    }
    const now = Date.now();
    const job: JobRecord = {
      id: this.nextJobId++,
      link,
      sourceType: listing.source.type,
      sourceId: listing.source.id,
      name: listing.source.name,
      backend: listing.source.backend,
      total: listing.source.total,
      status: 'pending',
      pauseReason: null,
      options: { ...DEFAULT_OPTIONS, outputDir: this.opts.outputDir, ...jobOptions },
      warnings: listing.warnings,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      finishedAt: null,
      progressChatId: null,
      progressMessageId: null,
    };
    this.jobs.set(job.id, job);
    this.tracksByJob.set(
      job.id,
      listing.tracks.map((t) => ({
        ...t,
        id: this.nextTrackId++,
        jobId: job.id,
        state: 'queued' as TrackState,
        attempts: 0,
        lastError: null,
        nextAttemptAt: null,
        requestMessageId: null,
        menuMessageId: null,
        pickedRow: null,
        fileMessageId: null,
        receivedFile: null,
        filePath: null,
        quarantinePath: null,
        audio: null,
        rememberedChoice: null,
        createdAt: now,
        updatedAt: now,
      })),
    );
    return job;
  }

  start(jobId: number): void {
    this.calls.push({ method: 'start', args: [jobId] });
    this.getJob(jobId);
    if (!this.queue.includes(jobId)) this.queue.push(jobId);
    this.ensureTimer();
  }

  async run(jobId: number, options: { signal?: AbortSignal } = {}): Promise<JobRecord> {
    this.start(jobId);
    return new Promise((resolve) => {
      const check = () => {
        const job = this.getJob(jobId);
        if (['done', 'cancelled', 'failed', 'paused'].includes(job.status)) {
          off();
          resolve(job);
        }
      };
      const off = this.events.subscribe(() => check());
      options.signal?.addEventListener('abort', () => void this.pause(jobId, 'interrupted'));
    });
  }

  async pause(jobId: number, reason = 'paused'): Promise<JobRecord> {
    this.calls.push({ method: 'pause', args: [jobId, reason] });
    const job = this.setJob(jobId, { status: 'paused', pauseReason: reason });
    this.events.emit({ type: 'job_paused', job, reason, safetyStop: false });
    return job;
  }

  async resume(jobId: number): Promise<JobRecord> {
    this.calls.push({ method: 'resume', args: [jobId] });
    const job = this.setJob(jobId, { status: 'pending', pauseReason: null });
    this.start(jobId);
    return job;
  }

  async cancel(jobId: number): Promise<JobRecord> {
    this.calls.push({ method: 'cancel', args: [jobId] });
    const job = this.setJob(jobId, { status: 'cancelled', finishedAt: Date.now() });
    for (const t of this.tracks(jobId)) if (!['done', 'not_found', 'mismatch', 'failed', 'skipped'].includes(t.state)) t.state = 'queued';
    return job;
  }

  async retryFailed(jobId: number, options: { includeNotFound?: boolean; includeMismatch?: boolean } = {}): Promise<number> {
    this.calls.push({ method: 'retryFailed', args: [jobId, options] });
    const states: TrackState[] = ['failed'];
    if (options.includeNotFound) states.push('not_found');
    if (options.includeMismatch) states.push('mismatch');
    const again = this.tracks(jobId).filter((t) => states.includes(t.state));
    for (const t of again) t.state = 'queued';
    if (again.length > 0) this.requeue(jobId);
    return again.length;
  }

  async retryTrack(trackId: number): Promise<TrackRecord> {
    this.calls.push({ method: 'retryTrack', args: [trackId] });
    const track = this.getTrack(trackId);
    track.state = 'queued';
    this.requeue(track.jobId);
    return { ...track };
  }

  async acceptQuarantined(trackId: number): Promise<TrackRecord> {
    this.calls.push({ method: 'acceptQuarantined', args: [trackId] });
    const track = this.getTrack(trackId);
    if (!track.quarantinePath) throw new UserError('This track has no quarantined file.');
    track.filePath = track.quarantinePath.replace('/quarantine/', '/');
    track.quarantinePath = null;
    track.state = 'done';
    return { ...track };
  }

  async menuRows(trackId: number): Promise<string[]> {
    this.calls.push({ method: 'menuRows', args: [trackId] });
    const t = this.getTrack(trackId);
    const artist = t.artists[0] ?? 'Unknown';
    return [`${artist} - ${t.title} (Tribute) [3:00]`, `${artist} - ${t.title} [3:01]`, `Karaoke - ${t.title} [2:59]`];
  }

  async chooseRow(trackId: number, rowText: string): Promise<TrackRecord> {
    this.calls.push({ method: 'chooseRow', args: [trackId, rowText] });
    this.choices.set(trackId, rowText);
    const track = this.getTrack(trackId);
    track.rememberedChoice = rowText;
    track.state = 'queued';
    this.requeue(track.jobId);
    return { ...track };
  }

  progress(jobId: number): JobProgress {
    const job = this.getJob(jobId);
    const counts = emptyCounts();
    const tracks = this.tracks(jobId);
    for (const t of tracks) counts[t.state] += 1;
    const inFlight = tracks.filter((t) => ['requested', 'picked', 'downloading', 'verifying'].includes(t.state)).map((t) => ({ ...t }));
    const left = counts.queued + inFlight.length;
    return {
      job: { ...job },
      counts,
      inFlight,
      receivedBytes: this.bytes.get(jobId) ?? 0,
      etaSeconds: job.status === 'running' ? left * 4 * (this.opts.tickMs / 1000) : null,
    };
  }

  missing(jobId: number): TrackRecord[] {
    return this.tracks(jobId).filter((t) => t.state === 'not_found' || t.state === 'mismatch' || t.state === 'failed').map((t) => ({ ...t }));
  }

  listJobs(): JobRecord[] {
    return [...this.jobs.values()].map((j) => ({ ...j })).reverse();
  }

  async status(): Promise<ServiceStatus> {
    const jobs = [...this.jobs.values()].filter((j) => ['running', 'pending', 'paused'].includes(j.status)).map((j) => this.progress(j.id));
    return { session: this.session, pacer: { ...this.pacer }, jobs };
  }

  async shutdown(): Promise<void> {
    this.calls.push({ method: 'shutdown', args: [] });
    for (const job of this.jobs.values()) if (job.status === 'running') await this.pause(job.id, 'Crate is shutting down');
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  // ---- the runner -------------------------------------------------------------------------

  private requeue(jobId: number): void {
    const job = this.getJob(jobId);
    if (job.status === 'done' || job.status === 'failed') this.setJob(jobId, { status: 'pending', finishedAt: null });
    if (this.getJob(jobId).status !== 'paused' && this.getJob(jobId).status !== 'cancelled') this.start(jobId);
  }

  private ensureTimer(): void {
    this.timer ??= setInterval(() => this.tick(), this.opts.tickMs);
  }

  private tick(): void {
    // Jobs run one after another: the first queued job that is not paused or cancelled.
    while (this.queue.length > 0) {
      const job = this.jobs.get(this.queue[0] as number);
      if (job && (job.status === 'pending' || job.status === 'running')) break;
      this.queue.shift();
    }
    const jobId = this.queue[0];
    if (jobId === undefined) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    let job = this.getJob(jobId);
    if (job.status === 'pending') {
      job = this.setJob(jobId, { status: 'running', startedAt: job.startedAt ?? Date.now() });
      this.events.emit({ type: 'job_started', job });
      return;
    }
    if (this.session.state !== 'ready' || (this.pacer.floodUntil !== null && this.pacer.floodUntil > Date.now())) return;
    const tracks = this.tracks(jobId);
    const inFlight = tracks.filter((t) => ['requested', 'picked', 'downloading', 'verifying'].includes(t.state));
    for (const track of inFlight) this.advance(job, track);
    const room = this.opts.parallel - inFlight.length;
    for (const track of tracks.filter((t) => t.state === 'queued').slice(0, Math.max(0, room))) {
      this.setTrack(job, track, { state: 'requested', attempts: track.attempts + 1 });
      this.pacer = { ...this.pacer, sentToday: this.pacer.sentToday + 1, nextMessageAt: Date.now() + 2000 };
    }
    if (tracks.every((t) => ['done', 'not_found', 'mismatch', 'failed', 'skipped'].includes(t.state))) this.finish(jobId);
  }

  private advance(job: JobRecord, track: TrackRecord): void {
    const next = NEXT_STATE[track.state];
    if (next) {
      this.setTrack(job, track, { state: next });
      return;
    }
    if (track.state === 'downloading') {
      const half = this.opts.fileSizeBytes / 2;
      const received = (track.receivedFile?.received as number | undefined) ?? 0;
      const now = received + half;
      this.bytes.set(job.id, (this.bytes.get(job.id) ?? 0) + half);
      track.receivedFile = { received: now };
      this.events.emit({ type: 'bytes', jobId: job.id, trackId: track.id, receivedBytes: now, totalBytes: this.opts.fileSizeBytes });
      if (now >= this.opts.fileSizeBytes) this.setTrack(job, track, { state: 'verifying' });
      return;
    }
    if (track.state === 'verifying') {
      const outcome = track.rememberedChoice ? 'done' : this.opts.outcome(track.position, track.attempts);
      const base = `${job.options.outputDir}/${job.name}`;
      this.setTrack(job, track, {
        state: outcome,
        receivedFile: null,
        lastError: outcome === 'done' || outcome === 'skipped' ? null : `scripted ${outcome}`,
        filePath: outcome === 'done' ? `${base}/${track.artists[0]} - ${track.title}.flac` : null,
        quarantinePath: outcome === 'mismatch' ? `${base}/quarantine/${track.artists[0]} - ${track.title}.flac` : null,
        pickedRow: `${track.artists[0]} - ${track.title} [3:00]`,
      });
    }
  }

  private finish(jobId: number): void {
    const before = this.getJob(jobId);
    const job = this.setJob(jobId, { status: 'done', finishedAt: Date.now() });
    this.queue.shift();
    const { counts } = this.progress(jobId);
    this.events.emit({
      type: 'job_finished',
      job,
      counts,
      playlistFile: `${job.options.outputDir}/${job.name}/${job.name}.m3u8`,
      elapsedMs: Date.now() - (before.startedAt ?? Date.now()),
    });
  }

  private setTrack(job: JobRecord, track: TrackRecord, patch: Partial<TrackRecord>): void {
    Object.assign(track, patch, { updatedAt: Date.now() });
    this.events.emit({ type: 'track_changed', job: { ...job }, track: { ...track } });
  }

  private setJob(jobId: number, patch: Partial<JobRecord>): JobRecord {
    const job = this.getJob(jobId);
    Object.assign(job, patch, { updatedAt: Date.now() });
    return { ...job };
  }

  private getJob(jobId: number): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw new UserError(`There is no job #${jobId}.`);
    return job;
  }

  private getTrack(trackId: number): TrackRecord {
    for (const tracks of this.tracksByJob.values()) {
      const track = tracks.find((t) => t.id === trackId);
      if (track) return track;
    }
    throw new UserError(`There is no track #${trackId}.`);
  }

  private listing(link: string): SourceListing {
    const listing = this.opts.listings[link];
    if (!listing) throw new UserError(`Not a Spotify link Crate can read: ${link}`);
    return listing;
  }
}
