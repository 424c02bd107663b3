import type { SourceBackend, SourceType, TrackInfo } from './track.js';

/** Life of one track inside a job. Persisted before each action so a crash resumes at the right step. */
export const TRACK_STATES = [
  'queued',
  'requested',
  'picked',
  'downloading',
  'verifying',
  'done',
  'not_found',
  'mismatch',
  'failed',
  'skipped',
] as const;
export type TrackState = (typeof TRACK_STATES)[number];

/** States that need no more work unless the owner asks for a retry. */
export const FINAL_TRACK_STATES: readonly TrackState[] = ['done', 'not_found', 'mismatch', 'failed', 'skipped'];
/** States of a track whose request to the bot may have been answered while we were down. */
export const IN_FLIGHT_TRACK_STATES: readonly TrackState[] = ['requested', 'picked', 'downloading', 'verifying'];

export const JOB_STATUSES = ['pending', 'running', 'paused', 'done', 'cancelled', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type OrganizeBy = 'playlist' | 'artist' | 'album' | 'none';
export type LosslessQuality = 'high' | 'max';

export interface JobOptions {
  limit: number | null;
  startFrom: number;
  batchSize: number;
  organizeBy: OrganizeBy;
  yearFolders: boolean;
  outputDir: string;
  fileTemplate: string;
  quality: LosslessQuality;
}

/** Facts about the audio that actually arrived (DJs care whether it is 16/44.1 or 24/96). */
export interface AudioFacts {
  bitDepth: number | null;
  sampleRate: number | null;
  channels: number | null;
  durationMs: number | null;
  sizeBytes: number | null;
  quality: LosslessQuality | null;
}

export interface JobRecord {
  id: number;
  link: string;
  sourceType: SourceType;
  sourceId: string;
  name: string;
  backend: SourceBackend;
  total: number;
  status: JobStatus;
  pauseReason: string | null;
  options: JobOptions;
  warnings: string[];
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** Where the control bot shows this job's progress (chat id, message id), if it does. */
  progressChatId: number | null;
  progressMessageId: number | null;
}

export interface TrackRecord extends TrackInfo {
  id: number;
  jobId: number;
  state: TrackState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: number | null;
  requestMessageId: number | null;
  menuMessageId: number | null;
  pickedRow: string | null;
  fileMessageId: number | null;
  /**
   * Set while the request or the quality click is on its way and not yet confirmed: the newest
   * chat message id known just before it (0 when none was). A restart that finds it set knows the
   * action may or may not have reached the bot. Null (or absent in older rows) once confirmed.
   */
  sendingAfterId?: number | null;
  /** Facts of the received document (performer, title, duration, file name) as JSON-able data. */
  receivedFile: Record<string, unknown> | null;
  filePath: string | null;
  quarantinePath: string | null;
  audio: AudioFacts | null;
  /** A menu row the owner chose by hand for this track; the picker prefers it. */
  rememberedChoice: string | null;
  createdAt: number;
  updatedAt: number;
}

export type TrackCounts = Record<TrackState, number>;

export function emptyCounts(): TrackCounts {
  return Object.fromEntries(TRACK_STATES.map((s) => [s, 0])) as TrackCounts;
}

export type NewTrack = TrackInfo;
