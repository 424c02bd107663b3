/**
 * Pure: what changed in a watched playlist. Tracks are keyed by Spotify id, else ISRC, else their
 * normalised artists and title (track lists without ids), so a re-read listing lines up with the
 * job's rows whatever their positions.
 */
import type { TrackRecord } from '../domain/job.js';
import type { TrackInfo } from '../domain/track.js';
import type { TrackPlan } from './watch-ports.js';

export function trackKey(t: Pick<TrackInfo, 'spotifyId' | 'isrc' | 'artists' | 'title'>): string {
  if (t.spotifyId) return `sp:${t.spotifyId}`;
  if (t.isrc) return `isrc:${t.isrc.toUpperCase()}`;
  const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
  return `name:${t.artists.map(fold).join(',')}|${fold(t.title)}`;
}

export function trackLabel(t: Pick<TrackInfo, 'artists' | 'title'>): string {
  return `${t.artists.join(', ') || 'Unknown artist'} - ${t.title}`;
}

export interface PlaylistDiff {
  added: TrackInfo[];
  removed: { key: string; label: string }[];
  unchanged: number;
  /** Keys of the new listing in Spotify's order (a key seen twice counts once). */
  keys: string[];
}

/** Against the keys of the last check (Spotify order), with labels for what left. */
export function diffListing(previousKeys: string[], previousLabels: Map<string, string>, listing: TrackInfo[]): PlaylistDiff {
  const before = new Set(previousKeys);
  const seen = new Set<string>();
  const added: TrackInfo[] = [];
  const keys: string[] = [];
  for (const t of listing) {
    const k = trackKey(t);
    if (seen.has(k)) continue;
    seen.add(k);
    keys.push(k);
    if (!before.has(k)) added.push(t);
  }
  const removed = previousKeys.filter((k) => !seen.has(k)).map((k) => ({ key: k, label: previousLabels.get(k) ?? k }));
  return { added, removed, unchanged: keys.length - added.length, keys };
}

/**
 * The plan that makes the job hold exactly the listing, in its order: rows whose key is still listed
 * move to the new position, the others leave (files stay on disk), new keys become queued rows.
 */
export function planTracks(jobTracks: TrackRecord[], listing: TrackInfo[]): TrackPlan {
  const byKey = new Map<string, TrackRecord>();
  for (const t of jobTracks) if (!byKey.has(trackKey(t))) byKey.set(trackKey(t), t);
  const plan: TrackPlan = { keep: [], remove: [], add: [] };
  const used = new Set<number>();
  let position = 0;
  const seen = new Set<string>();
  for (const t of listing) {
    const k = trackKey(t);
    if (seen.has(k)) continue;
    seen.add(k);
    position++;
    const row = byKey.get(k);
    if (row) {
      plan.keep.push({ trackId: row.id, position });
      used.add(row.id);
    } else {
      plan.add.push({ ...t, position });
    }
  }
  plan.remove = jobTracks.filter((t) => !used.has(t.id)).map((t) => t.id);
  return plan;
}
