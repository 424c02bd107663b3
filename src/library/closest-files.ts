import Fuse from 'fuse.js';
import type { TrackInfo } from '../domain/track.js';
import type { ScannedFile } from './scan.js';

export interface ClosestFile {
  position: number;
  file: string;
  /** 0 (identical) to 1 (unrelated), fuse.js's score. */
  score: number;
}

/** Only hints this close are shown; looser ones are noise in a DJ's folder. */
const MAX_SCORE = 0.35;

/**
 * For each missing track, the file left over in the folder whose name or tags read most like it,
 * as a hint for the owner ("maybe this one, under another name?"). Fuzzy search is fine here: it
 * decides nothing — the matcher already judged that the file is not this track.
 */
export function closestFiles(missing: TrackInfo[], leftovers: ScannedFile[]): ClosestFile[] {
  if (missing.length === 0 || leftovers.length === 0) return [];
  const entries = leftovers.map((f) => ({
    file: f.relPath,
    label: f.tags?.title ? `${f.tags.artist ?? ''} - ${f.tags.title}` : f.relPath.replace(/^.*[\\/]/, '').replace(/\.flac$/i, ''),
  }));
  const fuse = new Fuse(entries, { keys: ['label'], includeScore: true, ignoreLocation: true, threshold: MAX_SCORE });
  const hints: ClosestFile[] = [];
  for (const track of missing) {
    const best = fuse.search(`${track.artists.join(' ')} - ${track.title}`, { limit: 1 })[0];
    if (best && best.score !== undefined && best.score <= MAX_SCORE) {
      hints.push({ position: track.position, file: best.item.file, score: Number(best.score.toFixed(3)) });
    }
  }
  return hints;
}
