/**
 * Checks a received file against the requested track (and the menu row picked for it, if any)
 * before it is named after that track.
 */
import { parseTrackRow } from '../lossless/menu-row.js';
import { assess, fileSide, requestSide } from './compare.js';
import { judgeFile } from './file-rules.js';
import type { FileFacts, RequestedTrack } from './types.js';

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Accepts or rejects a file by the rules of `judgeFile` (ISRC first, then title, artist, version,
 * length). The picked row lends its artist (an alias the file may carry) and, when Spotify gave no
 * length, its own length. A file with neither a title nor an ISRC cannot be checked and is rejected.
 */
export function verifyFile(request: RequestedTrack, pickedRow: string | null, facts: FileFacts): Verdict {
  const row = pickedRow ? parseTrackRow(pickedRow) : null;
  const req = requestSide(request, row?.artist ?? null);
  if (req.durationMs === null && row?.durationMs != null) {
    req.durationMs = row.durationMs;
    req.durationSpanMs = 999;
  }
  const file = fileSide(facts);
  if (!file.title && !file.isrc) return { ok: false, reason: 'the file has no title, tags or ISRC to check' };
  const j = judgeFile(assess(req, file));
  return j.ok ? { ok: true } : { ok: false, reason: j.reason };
}
