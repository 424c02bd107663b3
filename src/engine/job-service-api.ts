/**
 * What the CLI and the control bot call. Implemented by JobService (src/engine/job-service.ts);
 * the bot and CLI depend on this shape only, so either can be tested against a real service on
 * fakes of the adapters.
 */
import type { JobOptions, JobRecord, TrackCounts, TrackRecord } from '../domain/job.js';
import type { SessionStatus } from '../domain/telegram.js';
import type { SourceListing } from '../domain/track.js';
import type { LeftFromLastRun } from './last-run.js';
import type { JobEvents, PacerState } from './ports.js';

export interface JobProgress {
  job: JobRecord;
  counts: TrackCounts;
  /** Tracks currently between requested and verifying. */
  inFlight: TrackRecord[];
  receivedBytes: number;
  /** Seconds left at the current pace, when it can be estimated. */
  etaSeconds: number | null;
}

export interface ServiceStatus {
  session: SessionStatus;
  pacer: PacerState;
  jobs: JobProgress[];
}

/** A job as createJob made (or found) it; a new run after a finished one says what that one left. */
export type CreatedJob = JobRecord & { leftFromLastRun?: LeftFromLastRun };

export interface JobServiceApi {
  readonly events: JobEvents;
  /** Reads the link (no Telegram): what a dry run shows. */
  preview(link: string, options?: { signal?: AbortSignal }): Promise<SourceListing>;
  /**
   * Creates the job for a link, or returns the unfinished one with the same fingerprint when
   * `resume` is true (the default). A new job after a finished run of the same link asks again
   * for the tracks that run left without a file unless `retryMissing` is false.
   */
  createJob(link: string, options?: Partial<JobOptions> & { resume?: boolean; retryMissing?: boolean }): Promise<CreatedJob>;
  /** Queues the job to run in the background (jobs run one after another). */
  start(jobId: number): void;
  /** Runs the job in the foreground until it finishes, pauses, or the signal aborts (then it pauses). */
  run(jobId: number, options?: { signal?: AbortSignal }): Promise<JobRecord>;
  pause(jobId: number, reason?: string): Promise<JobRecord>;
  resume(jobId: number): Promise<JobRecord>;
  cancel(jobId: number): Promise<JobRecord>;
  /** Puts failed (and, when asked, not_found / mismatch) tracks back in the queue. */
  retryFailed(jobId: number, options?: { includeNotFound?: boolean; includeMismatch?: boolean }): Promise<number>;
  retryTrack(trackId: number): Promise<TrackRecord>;
  /** The owner looked at a quarantined file and says it is right: store it under its proper name. */
  acceptQuarantined(trackId: number): Promise<TrackRecord>;
  /** The rows of the bot's own menu for this track, for the owner to choose from. */
  menuRows(trackId: number): Promise<string[]>;
  /** Remember the owner's row for this track and queue it again. */
  chooseRow(trackId: number, rowText: string): Promise<TrackRecord>;
  progress(jobId: number): JobProgress;
  /** The tracks that need the owner: not found, mismatch, failed (not the ones not asked for yet). */
  missing(jobId: number): TrackRecord[];
  /** Every track of the job, in playlist order, with its state. */
  tracks(jobId: number): TrackRecord[];
  listJobs(): JobRecord[];
  status(): Promise<ServiceStatus>;
  /** Pauses running jobs at a safe point and waits for them to settle. */
  shutdown(): Promise<void>;
}
