/**
 * Chooses the row of a @LosslessRobot search menu that is the requested track, or none (the caller
 * then pages on). Explicit rules, in order:
 * - only track rows: never paging, download-page, quality, back, promo or "wait" buttons;
 * - never a cover/tribute/karaoke/"made famous by"/"in the style of"/"originally performed" row,
 *   unless the request itself is one;
 * - the owner's remembered choice (`preferredRowText`) wins when it is on the page;
 * - the base title must be the same words; some credited artist must match;
 * - version words must agree, unless one side is plain and the lengths agree within 2 s, or one side
 *   is a mix named after its maker and the other names the same maker (a possessive, plural or one
 *   word apart) with the lengths within 3 s;
 * - lengths within 3 s are best; an exact title with the same version may differ up to 15 s;
 * - a row whose length agrees beats a row whose words agree but whose length is 3–15 s off;
 * - aliases: when the requested artist is on no row at all, a row with the same title, the same
 *   version and a length within 3 s is taken if it is the only such row.
 */
import { assess, requestSide, rowSide, type Assessment, type TrackSide } from '../matching/compare.js';
import { compact, fold } from '../matching/fold.js';
import { CLOSE_LENGTH_MS, MAX_EXACT_TITLE_DELTA_MS, SAME_LENGTH_MS } from '../matching/thresholds.js';
import type { RequestedTrack } from '../matching/types.js';
import { classifyButton, type MenuTrackRow } from './menu-row.js';

export interface PickOptions {
  /** A row text the owner chose by hand before for this track; it wins when present. */
  preferredRowText?: string | null;
}

export interface PickResult {
  index: number | null;
  reason: string;
}

const DECOY_ARTIST = /\b(karaoke|tribute|cover band|covers|made famous|in the style|sound ?alike|re ?creation|originally performed)\b/;

function isDecoy(row: MenuTrackRow, side: TrackSide): boolean {
  return (side.title?.version.decoy ?? false) || DECOY_ARTIST.test(fold(row.artist));
}

function cutRowSide(row: MenuTrackRow): TrackSide {
  const side = rowSide(row);
  // The bot shortens long rows with an ellipsis: treat the rest as cut off.
  const ell = /\s*(…|\.\.\.)\s*$/.exec(row.title);
  if (ell) {
    const titleRaw = row.title.slice(0, ell.index);
    side.cut = { titleRaw, key: compact(titleRaw), unbalanced: true, stemLength: row.title.length };
  }
  return side;
}

interface Candidate {
  index: number;
  tier: number;
  score: number;
  a: Assessment;
}

/** Tier 3: words and length agree; 2: length agrees over differing version words; 1: words agree, length loose or unknown. */
function rank(a: Assessment): { tier: number; score: number } | null {
  if (a.title === 'none' || a.artist === 'none') return null;
  const d = a.deltaMs;
  let tier: number;
  if (a.version === 'different') {
    if (!(a.lengthLabelOnly && d !== null && d <= SAME_LENGTH_MS)) return null;
    tier = 2;
  } else if (a.title !== 'exact') {
    if (d === null || d > CLOSE_LENGTH_MS) return null;
    tier = 1;
  } else if (d === null) tier = 1;
  else if (d <= CLOSE_LENGTH_MS) tier = 3;
  else if (d <= MAX_EXACT_TITLE_DELTA_MS && a.version === 'same') tier = 1;
  else return null;
  const score =
    (a.artist === 'all' ? 10 : 6) +
    (a.version === 'same' ? 5 : a.version === 'compatible' ? 3 : 0) +
    (a.title === 'exact' ? 3 : 0) +
    (d === null ? 0 : d <= CLOSE_LENGTH_MS ? 10 * (1 - d / CLOSE_LENGTH_MS) : 1 - d / MAX_EXACT_TITLE_DELTA_MS);
  return { tier, score };
}

function describe(c: Candidate): string {
  const len = c.a.deltaMs === null ? 'length unknown' : `length off by ${(c.a.deltaMs / 1000).toFixed(1)} s`;
  if (c.tier === 2) return `lengths agree although version words differ (${len})`;
  return `title ${c.a.title}, artist ${c.a.artist}, version ${c.a.version}, ${len}`;
}

export function pickMenuRow(request: RequestedTrack, buttons: string[], options: PickOptions = {}): PickResult {
  const classified = buttons.map((b) => classifyButton(b));
  const tracks = classified.flatMap((b, index) => (b.kind === 'track' ? [{ index, row: b.row, text: b.text }] : []));
  if (tracks.length === 0) {
    const kinds = new Set(classified.map((b) => b.kind));
    if (kinds.has('promo')) return { index: null, reason: 'premium promo, not search results' };
    if (kinds.has('quality')) return { index: null, reason: 'quality menu, not search results' };
    return { index: null, reason: 'no track rows' };
  }

  const preferred = options.preferredRowText?.trim();
  if (preferred) {
    const exact = tracks.find((t) => t.text.trim() === preferred) ?? tracks.find((t) => fold(t.text) === fold(preferred));
    if (exact) return { index: exact.index, reason: "owner's remembered choice" };
  }

  const req = requestSide(request);
  const requestIsDecoy = req.title.version.decoy || request.artists.some((a) => DECOY_ARTIST.test(fold(a)));
  const candidates: Candidate[] = [];
  const aliases: Candidate[] = [];
  let artistOnPage = false;
  for (const t of tracks) {
    const side = cutRowSide(t.row);
    if (isDecoy(t.row, side) && !requestIsDecoy) continue;
    const a = assess(req, side);
    if (a.artist !== 'none') artistOnPage = true;
    const r = rank(a);
    if (r) candidates.push({ index: t.index, ...r, a });
    else if (a.artist === 'none' && a.title === 'exact' && a.version === 'same' && a.deltaMs !== null && a.deltaMs <= CLOSE_LENGTH_MS) {
      aliases.push({ index: t.index, tier: 0, score: 0, a });
    }
  }
  if (candidates.length > 0) {
    const best = candidates.reduce((b, c) => (c.tier > b.tier || (c.tier === b.tier && c.score > b.score) ? c : b));
    return { index: best.index, reason: describe(best) };
  }
  if (!artistOnPage && aliases.length === 1 && aliases[0]) {
    return { index: aliases[0].index, reason: 'artist alias: the only row with this title, version and length' };
  }
  if (!artistOnPage && aliases.length > 1) return { index: null, reason: 'several rows by other artists fit: ambiguous' };
  return { index: null, reason: 'no qualifying row on this page' };
}
