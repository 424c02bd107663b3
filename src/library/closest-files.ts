import Fuse from 'fuse.js';
import type { TrackInfo } from '../domain/track.js';
import { assess, fileSide, requestSide, type Assessment } from '../matching/compare.js';
import { judgeFile } from '../matching/file-rules.js';
import { factsOf } from './missing.js';
import type { ScannedFile } from './scan.js';

export interface ClosestFile {
  position: number;
  file: string;
  /** 0 (identical) to 1 (unrelated), fuse.js's score. */
  score: number;
  /** Why the matcher did not take it ("same name, but 42 s longer", "version differs"), when it can say. */
  reason: string | null;
}

/** Only hints this close are shown; looser ones are noise in a DJ's folder. */
const MAX_SCORE = 0.35;
/** Candidates kept per track: when its best file is another track's best, the next one may do. */
const PER_TRACK = 5;

/**
 * For each missing track, the file left over in the folder whose name or tags read most like it,
 * as a hint for the owner ("maybe this one, under another name?"). Fuzzy search is fine here: it
 * decides nothing — the matcher already judged that the file is not this track. Each file is
 * suggested for one track at most, the one it reads most like (closest pairs first): one file
 * offered for two tracks would be wrong for at least one of them.
 */
export function closestFiles(missing: TrackInfo[], leftovers: ScannedFile[]): ClosestFile[] {
  if (missing.length === 0 || leftovers.length === 0) return [];
  const entries = leftovers.map((f) => ({
    label: f.tags?.title ? `${f.tags.artist ?? ''} - ${f.tags.title}` : f.relPath.replace(/^.*[\\/]/, '').replace(/\.flac$/i, ''),
  }));
  const fuse = new Fuse(entries, { keys: ['label'], includeScore: true, ignoreLocation: true, threshold: MAX_SCORE });
  const candidates: { t: number; f: number; score: number; kin: number; a: Assessment }[] = [];
  missing.forEach((track, t) => {
    const req = requestSide({ id: String(track.position), artists: track.artists, title: track.title, album: track.album, durationMs: track.durationMs, isrc: track.isrc });
    for (const r of fuse.search(`${track.artists.join(' ')} - ${track.title}`, { limit: PER_TRACK })) {
      if (r.score === undefined || r.score > MAX_SCORE) continue;
      const a = assess(req, fileSide(factsOf(leftovers[r.refIndex] as ScannedFile)));
      candidates.push({ t, f: r.refIndex, score: r.score, kin: kinship(a), a });
    }
  });
  // Closest first: the same title and version before a mere look-alike, then by fuse's score.
  candidates.sort((x, y) => x.kin - y.kin || x.score - y.score || x.t - y.t || x.f - y.f);
  const takenT = new Set<number>();
  const takenF = new Set<number>();
  const hints: ClosestFile[] = [];
  for (const c of candidates) {
    if (takenT.has(c.t) || takenF.has(c.f)) continue;
    takenT.add(c.t);
    takenF.add(c.f);
    const track = missing[c.t] as TrackInfo;
    const file = leftovers[c.f] as ScannedFile;
    hints.push({ position: track.position, file: file.relPath, score: Number(c.score.toFixed(3)), reason: whyNot(track, file, c.a) });
  }
  return hints.sort((a, b) => a.position - b.position);
}

/**
 * 0 = same title and a version that agrees, 1 = same title, another version, 2 = a look-alike.
 * Fuse reads "Rain (Dub Mix)" as closer to "Rain" than to "Rain (Dub)"; the matcher knows better.
 */
function kinship(a: Assessment): number {
  if (a.title === 'none') return 2;
  return a.version === 'different' ? 1 : 0;
}

/**
 * The matcher's own reason for refusing the file, in words. A file with the track's very name
 * refused for its length says by how much and which way: a radio edit or an extended mix.
 */
function whyNot(track: TrackInfo, file: ScannedFile, a: Assessment): string | null {
  const j = judgeFile(a);
  if (j.ok) return null;
  const fileMs = file.tags?.durationMs ?? null;
  const sameName = a.title === 'exact' && (a.artist === 'all' || a.artist === 'some') && a.version === 'same';
  if (sameName && a.isrc !== 'different' && fileMs !== null && track.durationMs !== null && a.deltaMs !== null) {
    const s = Math.round((fileMs - track.durationMs) / 1000);
    if (s !== 0) return `same name, but ${Math.abs(s)} s ${s > 0 ? 'longer' : 'shorter'}`;
  }
  return j.reason;
}
