/**
 * What the playlist watch needs from the outside, defined here so the engine stays free of SQL,
 * Spotify and Telegram. Plain data only.
 */
import type { JobRecord, TrackRecord } from '../domain/job.js';
import type { SourceListing, TrackInfo } from '../domain/track.js';

export type WatchStatus = 'active' | 'paused';

export interface RemovedTrack {
  key: string;
  label: string;
  removedAt: number;
}

/** What one check found and did (shown in /watches, `crate watch list`, and the report). */
export interface WatchCheckResult {
  at: number;
  added: number;
  removed: number;
  unchanged: number;
  /** Nothing was read beyond the snapshot: it had not changed. */
  skippedUnchanged: boolean;
  /** Added tracks of this check: how they ended (filled in when their job finishes). */
  downloaded?: number;
  notFound?: number;
  failed?: number;
  note?: string;
}

export interface PendingNotice {
  jobId: number;
  addedKeys: string[];
  removed: number;
  at: number;
}

export interface WatchRecord {
  id: number;
  link: string;
  sourceId: string;
  name: string;
  everyMs: number;
  status: WatchStatus;
  jobId: number | null;
  nextCheckAt: number;
  lastCheckAt: number | null;
  lastSnapshot: string | null;
  trackKeys: string[];
  removed: RemovedTrack[];
  lastResult: WatchCheckResult | null;
  lastError: string | null;
  pendingNotice: PendingNotice | null;
  createdAt: number;
}

export type NewWatch = Pick<WatchRecord, 'link' | 'sourceId' | 'name' | 'everyMs' | 'nextCheckAt'>;
export type WatchPatch = Partial<Omit<WatchRecord, 'id' | 'createdAt' | 'link' | 'sourceId'>>;

export interface WatchStore {
  createWatch(watch: NewWatch): WatchRecord;
  getWatch(id: number): WatchRecord | null;
  findWatchBySource(sourceId: string): WatchRecord | null;
  listWatches(): WatchRecord[];
  updateWatch(id: number, patch: WatchPatch): WatchRecord;
  deleteWatch(id: number): void;
}

/**
 * How a playlist's job is brought in line with the playlist: kept tracks move to their new
 * positions, removed ones leave the job (their files stay), added ones are queued. One transaction.
 */
export interface TrackPlan {
  keep: { trackId: number; position: number }[];
  remove: number[];
  add: TrackInfo[];
}

export interface PlaylistJobEditor {
  applyTrackPlan(jobId: number, plan: TrackPlan): { job: JobRecord; added: TrackRecord[] };
}

/** A cheap "has it changed?" probe: Spotify's snapshot_id for playlists the login reads; null when none. */
export interface PlaylistSnapshots {
  snapshot(link: string, options?: { signal?: AbortSignal }): Promise<string | null>;
}

export type WatchListing = SourceListing;
