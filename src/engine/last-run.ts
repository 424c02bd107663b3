/**
 * A new run of a link whose last run finished: the tracks that run left without a file (not
 * found, or a file that did not match) would be asked for again — a message each from the daily
 * budget. This finds them in the new job, so the owner is told before anything is sent and can
 * leave them as they were.
 */
import type { TrackRecord, TrackState } from '../domain/job.js';

/** What the last run left without a file, and what this run does with it. */
export interface LeftFromLastRun {
  /** The finished job they come from. */
  jobId: number;
  notFound: number;
  mismatch: number;
  /** true: they are asked for again (one message each); false: they keep last run's state. */
  askedAgain: boolean;
}

export const LEFT_WITHOUT_FILE: readonly TrackState[] = ['not_found', 'mismatch'];

/** One track's identity across jobs: the Spotify id, else the ISRC, else artists and title. */
function trackKey(t: Pick<TrackRecord, 'spotifyId' | 'isrc' | 'artists' | 'title'>): string {
  if (t.spotifyId) return `spotify:${t.spotifyId}`;
  if (t.isrc) return `isrc:${t.isrc.toUpperCase()}`;
  return `name:${t.artists.join(', ').toLowerCase()} - ${t.title.toLowerCase()}`;
}

/** Pairs each track of the new job with the same track of the last run, when that one ended without a file. */
export function leftWithoutFile(lastRun: TrackRecord[], fresh: TrackRecord[]): { track: TrackRecord; before: TrackRecord }[] {
  const before = new Map<string, TrackRecord>();
  for (const t of lastRun) if (LEFT_WITHOUT_FILE.includes(t.state)) before.set(trackKey(t), t);
  const pairs: { track: TrackRecord; before: TrackRecord }[] = [];
  for (const track of fresh) {
    const old = before.get(trackKey(track));
    if (old) pairs.push({ track, before: old });
  }
  return pairs;
}
