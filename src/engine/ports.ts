/**
 * The interfaces the job engine depends on. The engine defines them; adapters (Spotify, the
 * Lossless protocol over Telegram, SQLite, the file system) implement them. Only plain data
 * crosses these lines.
 */
import type { AudioFacts, JobOptions, JobRecord, TrackCounts, TrackRecord, TrackState } from '../domain/job.js';
import type { SourceListing, TrackInfo } from '../domain/track.js';

/** Reads a Spotify link (already validated) into a track list, choosing the backend itself. */
export interface PlaylistSource {
  load(link: string, options?: { signal?: AbortSignal }): Promise<SourceListing>;
}

/** What kind of outgoing action toward the external bot is being paced. */
export type OutgoingKind = 'message' | 'click' | 'inline';

export interface PacerState {
  /** Epoch ms until which nothing may be sent (FloodWait), or null. */
  floodUntil: number | null;
  /** Epoch ms the next message may go at the earliest. */
  nextMessageAt: number;
  sentToday: number;
  dailyBudget: number;
  /** Human text for the owner, e.g. "waiting 42 s: Telegram flood limit". */
  describe: string;
}

/**
 * The single gate every outgoing action to the external bot passes. `acquire` resolves when the
 * action may be sent now (and records it); it rejects with SafetyStopError when the daily budget
 * is spent, or with an AbortError when the signal fires.
 */
export interface MessagePacer {
  acquire(kind: OutgoingKind, options?: { signal?: AbortSignal; trackId?: number }): Promise<void>;
  /**
   * Called right before the granted action is handed to Telegram: the gap to the next one counts
   * from now, not from the grant (writing the intent to SQLite, a GC pause... come in between).
   * Throws, and the action must not go out, when another process took the turn meanwhile.
   */
  sending?(kind: OutgoingKind): void;
  /** The granted action will not go out after all (the caller gave up before `sending`): the turn is free again. */
  release?(kind: OutgoingKind): void;
  /** Telegram said FloodWait: nothing is sent until it passes, across restarts. */
  noteFloodWait(seconds: number): void;
  state(): PacerState;
}

/** Persisted per-track breadcrumbs an acquirer writes as it goes (each written before acting on it). */
export interface TrackProgressPatch {
  state?: TrackState;
  requestMessageId?: number | null;
  menuMessageId?: number | null;
  pickedRow?: string | null;
  fileMessageId?: number | null;
  /** See TrackRecord.sendingAfterId: written before an action goes out, cleared once it is confirmed. */
  sendingAfterId?: number | null;
  receivedFile?: Record<string, unknown> | null;
}

export interface AcquireRequest {
  track: TrackRecord;
  /** Where the verified file should be downloaded to (the engine moves/renames it afterwards). */
  downloadPath: string;
  quality: JobOptions['quality'];
  signal: AbortSignal;
  /** Persist before acting; the acquirer awaits it. */
  record(patch: TrackProgressPatch): Promise<void>;
  onBytes(receivedBytes: number, totalBytes: number): void;
  /** True while the file waits behind other downloads for its turn (Crate's own queue, not the bot's silence), false when it starts. */
  onDownloadQueued?(queued: boolean): void;
}

export type AcquireOutcome =
  | {
      kind: 'downloaded';
      /** Path of the complete downloaded file (not yet verified against the FLAC's own tags). */
      path: string;
      sizeBytes: number;
      pickedRow: string | null;
      receivedFile: Record<string, unknown>;
    }
  | { kind: 'not_found'; reason: string }
  /** The bot sent a file that is not this track (checked from the document's facts before downloading). */
  | { kind: 'mismatch'; reason: string; pickedRow: string | null; receivedFile: Record<string, unknown> }
  | { kind: 'failed'; reason: string; retryable: boolean };

/**
 * Gets one track's file from the external bot: asks, picks, waits, downloads. Safety signals
 * (promo, quota, restriction) and FloodWaits are thrown as SafetyStopError / FloodWaitError.
 */
export interface TrackAcquirer {
  acquire(request: AcquireRequest): Promise<AcquireOutcome>;
}

/** Verifies a downloaded file and puts it in the library (or in quarantine). */
export interface Library {
  /** The final path a track would get for this job (used for skip checks and m3u8). */
  plannedPath(job: JobRecord, track: TrackInfo): string;
  /** Reads the FLAC, checks it against the track, moves it into place or into quarantine. */
  accept(
    job: JobRecord,
    track: TrackRecord,
    downloadedPath: string,
  ): Promise<
    | { kind: 'stored'; path: string; audio: AudioFacts }
    | { kind: 'quarantined'; path: string; reason: string; audio: AudioFacts | null }
  >;
  /**
   * A verified file already in the library (same Spotify id or ISRC, still intact), if any. With
   * `job`, a file already at this track's planned path whose own tags match counts too.
   */
  findExisting(track: TrackInfo, job?: JobRecord): Promise<{ path: string; audio: AudioFacts | null } | null>;
  /** Hard-links (or copies) an existing file into this job's folder. */
  linkExisting(job: JobRecord, track: TrackRecord, existingPath: string): Promise<string>;
  /** Rewrites `<Playlist>.m3u8` from the tracks that are in place, in playlist order. */
  writePlaylist(job: JobRecord, tracks: TrackRecord[]): Promise<string | null>;
  /** Where the acquirer downloads this track (same file system as the library; the folder exists). */
  downloadPath(job: JobRecord, track: TrackRecord): Promise<string>;
  /** The owner says a quarantined file is right: store it under its proper name without verifying. */
  acceptQuarantined(job: JobRecord, track: TrackRecord): Promise<{ path: string; audio: AudioFacts | null }>;
  /** Removes what is left of this job's downloads (partial files) once the job is finished or reset. */
  discardDownloads(job: JobRecord): Promise<void>;
  /** Plain-words notes for the completion notice (e.g. files the DJ's player would not load). */
  finishNotes?(job: JobRecord, tracks: TrackRecord[]): string[];
}

export interface NewJob {
  link: string;
  listing: SourceListing;
  options: JobOptions;
  fingerprint: string;
}

/** Durable state of jobs and tracks (SQLite in production, the same in tests: real files). */
export interface JobStore {
  createJob(job: NewJob): JobRecord;
  findResumableJob(fingerprint: string): JobRecord | null;
  /** The newest finished (`done`) job with this fingerprint: what a new run of the same link follows. */
  findLastFinishedJob(fingerprint: string): JobRecord | null;
  getJob(id: number): JobRecord | null;
  listJobs(options?: { limit?: number }): JobRecord[];
  updateJob(id: number, patch: Partial<Pick<JobRecord, 'status' | 'pauseReason' | 'startedAt' | 'finishedAt' | 'progressChatId' | 'progressMessageId' | 'warnings' | 'options'>>): JobRecord;
  deleteJob(id: number): void;
  deleteAllJobs(): void;
  tracks(jobId: number, options?: { states?: TrackState[] }): TrackRecord[];
  getTrack(id: number): TrackRecord | null;
  updateTrack(
    id: number,
    patch: TrackProgressPatch &
      Partial<
        Pick<
          TrackRecord,
          'attempts' | 'lastError' | 'nextAttemptAt' | 'filePath' | 'quarantinePath' | 'audio' | 'rememberedChoice'
        >
      >,
  ): TrackRecord;
  counts(jobId: number): TrackCounts;
  /** Done tracks of any job with this Spotify id or ISRC (for one-download-per-track across playlists). */
  findDoneTrack(match: { spotifyId: string | null; isrc: string | null }): TrackRecord | null;
  /** Durable key-value facts (pacer's FloodWait end, last seen message id...). */
  getSetting(key: string): string | null;
  setSetting(key: string, value: string | null): void;
  /** Records an outgoing action (a pacer grant when `pending`); returns its row id. */
  recordOutgoing(kind: OutgoingKind, at: number, trackId?: number, options?: { pending?: boolean; pid?: number }): number;
  /**
   * The granted action goes out now: its time moves to `at` (never earlier) and it is no longer
   * pending. False, and nothing changes, when the grant is no longer its process's to use: it was
   * withdrawn, or another process granted an action after it (the pacer runs this in `exclusive`).
   */
  markOutgoingSent?(id: number, at: number): boolean;
  /** Removes a grant that will never go out (still pending only); true when it was removed. */
  withdrawOutgoing?(id: number): boolean;
  /**
   * Outgoing actions since `since` (epoch ms), of the given kinds (all kinds when omitted). With
   * `pendingSince`, grants still pending count only when granted at or after it.
   */
  countOutgoingSince(since: number, kinds?: OutgoingKind[], options?: { pendingSince?: number }): number;
  outgoingTimes(since: number): { kind: OutgoingKind; sentAt: number }[];
  /** The same rows with what the pacer needs across processes. */
  recentOutgoing?(since: number): { id: number; kind: OutgoingKind; sentAt: number; pending: boolean; pid: number | null }[];
  /**
   * Runs `fn` as one write transaction that no other process can interleave with (SQLite BEGIN
   * IMMEDIATE): the pacer's check and record of a send slot.
   */
  exclusive?<T>(fn: () => T): T;
  /** Which process runs the job now (null: none); see JobServiceDeps.process. */
  setJobOwner?(id: number, owner: string | null): void;
  jobOwner?(id: number): string | null;
}

/** Events for the CLI's progress display and the control bot's edited message. */
export type JobEvent =
  | { type: 'job_started'; job: JobRecord }
  | { type: 'track_changed'; job: JobRecord; track: TrackRecord }
  | { type: 'bytes'; jobId: number; trackId: number; receivedBytes: number; totalBytes: number }
  | { type: 'job_paused'; job: JobRecord; reason: string; safetyStop: boolean }
  | { type: 'job_finished'; job: JobRecord; counts: TrackCounts; playlistFile: string | null; elapsedMs: number; notes?: string[] }
  /** `until`: epoch ms when sending may go on (set for FloodWaits). */
  | { type: 'pacer_waiting'; seconds: number; reason: string; until?: number }
  /** `notLoggedIn`: there never was a session (nothing expired); `code`: Telegram's reason (AUTH_KEY_UNREGISTERED…). */
  | { type: 'session_expired'; message: string; notLoggedIn?: boolean; code?: string }
  /** A watched playlist's check found something; for added tracks, sent once their job finished. */
  | {
      type: 'watch_report';
      watchId: number;
      name: string;
      jobId: number | null;
      added: number;
      downloaded: number;
      notFound: number;
      failed: number;
      removed: number;
      removedLabels: string[];
    }
  /** A watch check waits (daily budget, safety stop, Spotify quota): said once per reason. */
  | { type: 'watch_postponed'; watchId: number; name: string; reason: string; until: number }
  /** The link to Telegram went down (jobs pause) or came back (they go on): once per change. */
  | { type: 'telegram_connection'; state: 'up' | 'down'; detail: string | null; jobIds: number[] };

export interface JobEvents {
  emit(event: JobEvent): void;
  subscribe(listener: (event: JobEvent) => void): () => void;
}

/** Time, injectable so tests and benchmarks can scale it. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
