/**
 * The explicit rules that decide whether a received file is a requested track, and how strongly.
 * Used by file verification and by attribution of late files, so both say the same thing.
 */
import type { Assessment } from './compare.js';
import { CLOSE_LENGTH_MS, MAX_EXACT_TITLE_DELTA_MS, SAME_LENGTH_MS } from './thresholds.js';

export type FileJudgement = { ok: true; score: number; reason: string } | { ok: false; reason: string };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Rules, in order:
 * 1. ISRC on both sides: equal accepts, different rejects (nothing else can overrule it).
 * 2. The base title must be the same words (or a cut-off file name of it, or one slip in a long title).
 * 3. Some credited artist must match (or the artist of the menu row picked for it: an alias).
 * 4. Version words must agree — unless one side is plain and the lengths agree within 2 s.
 * 5. Lengths, when both are known: within 3 s, or up to 15 s for an exact title with the same version
 *    and a matching artist. An unknown length is no veto, but then artist and title must carry it.
 * Among accepted requests, the one whose whole title (featured credits included) and first artist
 * are the file's scores higher, so it is not left "ambiguous" beside the featured artist's own song.
 */
export function judgeFile(a: Assessment): FileJudgement {
  if (a.isrc === 'different') return { ok: false, reason: 'ISRC differs' };
  if (a.isrc === 'same') return { ok: true, score: 1000 + (a.title === 'exact' ? 10 : 0) + (a.deltaMs !== null && a.deltaMs <= CLOSE_LENGTH_MS ? 5 : 0), reason: 'same ISRC' };
  if (a.title === 'none') return { ok: false, reason: 'title differs' };
  if (a.artist === 'none') return { ok: false, reason: 'artist differs' };

  let versionScore: number;
  switch (a.version) {
    case 'same':
      versionScore = 10;
      break;
    case 'compatible':
      versionScore = 6;
      break;
    case 'unknown':
      versionScore = 2;
      break;
    case 'different':
      if (!(a.lengthLabelOnly && a.deltaMs !== null && a.deltaMs <= SAME_LENGTH_MS)) return { ok: false, reason: 'version differs' };
      versionScore = 0;
      break;
  }

  const d = a.deltaMs;
  if (d !== null) {
    if (d > MAX_EXACT_TITLE_DELTA_MS) return { ok: false, reason: `length differs by ${seconds(d)}` };
    const textAgrees = a.title === 'exact' && a.version === 'same' && a.artist !== 'unknown';
    if (d > CLOSE_LENGTH_MS && !textAgrees) return { ok: false, reason: `length differs by ${seconds(d)} and the words do not fully agree` };
  } else {
    if (a.artist === 'unknown') return { ok: false, reason: 'no artist and no length to check' };
    if (a.title === 'near') return { ok: false, reason: 'title only similar and no length to confirm it' };
  }
  if (a.title === 'near' && d !== null && d > CLOSE_LENGTH_MS) return { ok: false, reason: 'title only similar and length not close' };

  const titleScore = a.title === 'exact' ? 20 : a.title === 'truncated' ? 10 : 5;
  const artistScore = a.artist === 'all' ? 10 : a.artist === 'some' ? 7 : a.artist === 'alias' ? 5 : 0;
  const lengthScore = d === null ? 4 : d <= CLOSE_LENGTH_MS ? 5 + 10 * (1 - d / CLOSE_LENGTH_MS) : 1;
  // The whole title as written and the first artist: what tells a track "feat. X" from X's own one.
  const score = 100 + titleScore + artistScore + versionScore + lengthScore + (a.album ? 2 : 0) + (a.credit ? 2 : 0);
  const how = a.version === 'different' ? 'lengths agree although version words differ' : `title ${a.title}, artist ${a.artist}, version ${a.version}`;
  return { ok: true, score, reason: how };
}
