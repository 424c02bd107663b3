/**
 * Attribution of received files to the requests still pending: files arrive late, out of order,
 * and some answer requests that are no longer pending. Every (file, request) pair is judged by the
 * same rules as file verification; the accepted pairs get a score and one global maximum-weight
 * assignment decides (each request takes at most one file). A file whose best requests cannot be
 * told apart is left unassigned rather than named by a coin toss.
 */
import { parseTrackRow } from '../lossless/menu-row.js';
import { maxWeightAssignment } from './assignment.js';
import { assess, fileSide, requestSide, type RequestSide, type TrackSide } from './compare.js';
import { judgeFile } from './file-rules.js';
import { looseWords } from './fold.js';
import { sameTags } from './normalize.js';
import { AMBIGUITY_MARGIN } from './thresholds.js';
import type { Assignments, IncomingFile, PendingRequest } from './types.js';

export interface FileAttribution {
  fileId: string;
  requestId: string | null;
  reason: string;
  /** For an unassigned file: the pending request it resembles most, to explain the refusal. */
  closest?: { requestId: string; reason: string };
}

function pendingSide(r: PendingRequest): RequestSide {
  const row = r.pickedRow ? parseTrackRow(r.pickedRow) : null;
  const side = requestSide(r, row?.artist ?? null);
  if (side.durationMs === null && row?.durationMs != null) {
    side.durationMs = row.durationMs;
    side.durationSpanMs = 999;
  }
  return side;
}

/** Two requests for one recording (a playlist can hold a track twice): either may take the file. */
function sameRecording(a: RequestSide, b: RequestSide): boolean {
  if (a.isrc && b.isrc) return a.isrc === b.isrc;
  if (a.title.key !== b.title.key || !sameTags(a.title.version, b.title.version)) return false;
  if (a.artists.join('|') !== b.artists.join('|')) return false;
  if (a.durationMs !== null && b.durationMs !== null) return Math.abs(a.durationMs - b.durationMs) <= 1000;
  return true;
}

function hasEvidence(f: TrackSide): boolean {
  return f.title !== null || f.isrc !== null;
}

/** Assigns each file to at most one pending request (and each request at most one file), with reasons. */
export function explainAttribution(requests: PendingRequest[], files: IncomingFile[], options: { closest?: boolean } = {}): FileAttribution[] {
  const reqSides = requests.map(pendingSide);
  const fileSides = files.map((f) => fileSide(f));
  const reasons: string[][] = files.map(() => []);
  const weights = fileSides.map((f, i) =>
    reqSides.map((r, k) => {
      if (!hasEvidence(f)) return 0;
      const j = judgeFile(assess(r, f));
      (reasons[i] as string[]).push(j.reason);
      // Exact ties (two copies of one file, a track asked twice) go to the earlier file and request.
      return j.ok ? j.score - i * 1e-6 - k * 1e-9 : 0;
    }),
  );
  const assigned = maxWeightAssignment(weights, requests.length);
  const owner = new Map<number, number>();
  assigned.forEach((j, i) => {
    if (j !== null) owner.set(j, i);
  });

  const result: FileAttribution[] = files.map((f, i) => {
    const j = assigned[i] ?? null;
    if (j === null) return { fileId: f.id, requestId: null, reason: hasEvidence(fileSides[i] as TrackSide) ? 'answers no pending request' : 'no title, tags or ISRC' };
    const row = weights[i] as number[];
    const s = row[j] as number;
    // Ambiguity: another request fits this file as well and is not held by a clearly better file.
    const rival = row.findIndex((w, k) => {
      if (k === j || w <= 0 || w < s - AMBIGUITY_MARGIN) return false;
      if (sameRecording(reqSides[j] as RequestSide, reqSides[k] as RequestSide)) return false;
      const holder = owner.get(k);
      if (holder === undefined) return true;
      return ((weights[holder] as number[])[k] as number) < w + AMBIGUITY_MARGIN;
    });
    if (rival >= 0 && s < 1000) {
      return { fileId: f.id, requestId: null, reason: `ambiguous between ${requests[j]?.id} and ${requests[rival]?.id}` };
    }
    return { fileId: f.id, requestId: (requests[j] as PendingRequest).id, reason: reasons[i]?.[j] ?? '' };
  });
  if (options.closest !== false) addClosest(result, requests, files, reasons);
  return result;
}

/**
 * The look-alike request for each refused file, only to explain the refusal (and, when the awaited
 * file never comes, to name the wrong one that did). It must really resemble: fuzzy scoring (Fuse)
 * called "Mr. Fingers - Mystery of Love" the closest to "Robin S - Show Me Love", which then turned
 * a merely late track into a "mismatch". So: the request most of whose words the file carries.
 */
function addClosest(result: FileAttribution[], requests: PendingRequest[], files: IncomingFile[], reasons: string[][]): void {
  const refused = result.filter((r) => r.requestId === null);
  if (refused.length === 0 || requests.length === 0) return;
  for (const r of refused) {
    const i = files.findIndex((f) => f.id === r.fileId);
    const f = files[i];
    if (!f) continue;
    const index = mostWordsIn([f.artist, f.title, f.fileName].filter(Boolean).join(' '), requests);
    if (index !== undefined) r.closest = { requestId: (requests[index] as PendingRequest).id, reason: reasons[i]?.[index] ?? '' };
  }
}

/**
 * The request whose base title words the text all carries (a karaoke, cover, remix or the plain
 * version of it does) and most of whose other words too; none when no title fits.
 */
function mostWordsIn(text: string, requests: PendingRequest[]): number | undefined {
  const have = new Set(looseWords(text));
  let best: { index: number; share: number } | undefined;
  requests.forEach((r, index) => {
    // The base title: "(Dub)", "[Remix]" and " - Radio Edit" may be what differs.
    const title = looseWords(r.title.replace(/\([^)]*\)|\[[^\]]*\]|\s+[-–—]\s+.*$/g, ' '));
    if (title.length === 0 || !title.every((w) => have.has(w))) return;
    const wanted = [...new Set(looseWords(`${r.artists.join(' ')} ${r.title}`))];
    const share = wanted.filter((w) => have.has(w)).length / wanted.length;
    if (!best || share > best.share) best = { index, share };
  });
  return best?.index;
}


export function attributeFiles(requests: PendingRequest[], files: IncomingFile[]): Assignments {
  const out: Assignments = {};
  for (const a of explainAttribution(requests, files, { closest: false })) out[a.fileId] = a.requestId;
  return out;
}
