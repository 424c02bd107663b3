/**
 * Compares a requested track with a candidate (a received file or a menu row) and describes how
 * they relate, field by field. It decides nothing: the verifier, the attributor and the picker each
 * apply their own explicit rules to this description.
 */
import { compact, fold, withinOneEdit } from './fold.js';
import { parseFileName, parseTitle, sameTags, splitArtists, type ParsedTitle, type VersionInfo } from './normalize.js';
import { CLOSE_LENGTH_MS } from './thresholds.js';
import type { FileFacts, RequestedTrack } from './types.js';

/** One side of a comparison, normalised once. */
export interface TrackSide {
  artists: string[];
  /** All artist names run together, for credits written as one name ("AC_DC"). */
  artistsKey: string;
  title: ParsedTitle | null;
  durationMs: number | null;
  /** The true length lies in [durationMs, durationMs + durationSpanMs] (menu rows show whole seconds). */
  durationSpanMs: number;
  isrc: string | null;
  albumKey: string | null;
  /** Set when the title came from a file name that may have been cut off. */
  cut: { titleRaw: string; key: string; unbalanced: boolean; stemLength: number } | null;
  /** The first credited artist (not a featured one), compact. */
  primary: string | null;
}

export interface RequestSide extends TrackSide {
  title: ParsedTitle;
  /** Artists of the menu row picked for this request: a file may carry them (aliases). */
  aliasArtists: string[];
}

export type TitleRelation = 'exact' | 'near' | 'truncated' | 'none';
export type ArtistRelation = 'all' | 'some' | 'alias' | 'unknown' | 'none';
export type VersionRelation = 'same' | 'compatible' | 'different' | 'unknown';

export interface Assessment {
  isrc: 'same' | 'different' | 'unknown';
  title: TitleRelation;
  artist: ArtistRelation;
  version: VersionRelation;
  /**
   * The versions differ only by a length label: one side is plain, the other says edit/short/radio
   * or extended (no remixer). Such labels are often dropped, so agreeing lengths may overrule them.
   * Content labels (dub, remix, live, instrumental…) are never overruled by a length.
   */
  lengthLabelOnly: boolean;
  /** Distance between the two lengths in ms, null when either is unknown. */
  deltaMs: number | null;
  album: boolean;
  /**
   * The same title and version, the same first artist and the same credits in all (featured ones
   * included): "CamelPhat - Cola (feat. Elderbrook)" is CamelPhat & Elderbrook's "Cola (feat.
   * Elderbrook)", not Elderbrook's own "Cola", although both share the title and an artist.
   */
  credit: boolean;
}

function normIsrc(isrc: string | null | undefined): string | null {
  const s = (isrc ?? '').replace(/[^0-9a-z]/gi, '').toUpperCase();
  return s.length >= 10 ? s : null;
}

function albumKey(album: string | null | undefined): string | null {
  if (!album) return null;
  const k = parseTitle(album).key;
  return k || null;
}

function positive(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

export function requestSide(req: RequestedTrack, pickedRowArtist?: string | null): RequestSide {
  const title = parseTitle(req.title);
  const artists: string[] = [];
  for (const a of [...req.artists, ...title.featured]) for (const n of splitArtists(a)) if (!artists.includes(n)) artists.push(n);
  return {
    artists,
    artistsKey: req.artists.map((a) => compact(a)).join(''),
    title,
    durationMs: positive(req.durationMs),
    durationSpanMs: 0,
    isrc: normIsrc(req.isrc),
    albumKey: albumKey(req.album),
    cut: null,
    primary: splitArtists(req.artists[0])[0] ?? null,
    aliasArtists: pickedRowArtist ? splitArtists(pickedRowArtist).filter((a) => !artists.includes(a)) : [],
  };
}

export function fileSide(facts: FileFacts): TrackSide {
  const name = facts.fileName ? parseFileName(facts.fileName) : null;
  const artists: string[] = [];
  const add = (raw: string | null | undefined) => {
    for (const n of splitArtists(raw)) if (!artists.includes(n)) artists.push(n);
  };
  add(facts.artist);
  add(name?.artist);
  const tagTitle = facts.title?.trim() ? parseTitle(facts.title) : null;
  const nameTitle = name?.title ? parseTitle(name.title) : null;
  let title = tagTitle ?? nameTitle;
  // Tags and name may disagree on how much version they spell out; keep the more specific one.
  if (tagTitle && nameTitle && tagTitle.key === nameTitle.key && tagTitle.version.tags.length === 0 && nameTitle.version.tags.length > 0) {
    title = nameTitle;
  }
  for (const f of title?.featured ?? []) add(f);
  return {
    artists,
    artistsKey: [facts.artist ? compact(facts.artist) : '', name?.artist ? compact(name.artist) : ''].find((k) => k) ?? '',
    title,
    durationMs: positive(facts.durationMs),
    durationSpanMs: 0,
    isrc: normIsrc(facts.isrc),
    albumKey: albumKey(facts.album),
    cut: !tagTitle && name?.title ? { titleRaw: name.title, key: compact(name.title), unbalanced: name.unbalanced, stemLength: name.stem.length } : null,
    primary: splitArtists(facts.artist?.trim() ? facts.artist : name?.artist)[0] ?? null,
  };
}

/** A menu row ("Artist", "Title", length in whole seconds) as a comparable side. */
export function rowSide(row: { artist: string; title: string; durationMs: number | null }): TrackSide {
  const title = parseTitle(row.title);
  const artists = splitArtists(row.artist);
  for (const f of title.featured) for (const n of splitArtists(f)) if (!artists.includes(n)) artists.push(n);
  return {
    artists,
    artistsKey: compact(row.artist),
    title,
    durationMs: positive(row.durationMs),
    durationSpanMs: 999,
    isrc: null,
    albumKey: null,
    cut: null,
    primary: splitArtists(row.artist)[0] ?? null,
  };
}

function sameName(a: string, b: string): boolean {
  if (a === b) return true;
  // One typo in a longer name ("Sebastian Leger") is still the same person.
  return a.length >= 6 && b.length >= 6 && withinOneEdit(a, b);
}

function artistRelation(req: RequestSide, cand: TrackSide): ArtistRelation {
  if (cand.artists.length === 0) return 'unknown';
  if (cand.artistsKey && cand.artistsKey === req.artistsKey) return 'all';
  const found = req.artists.filter((r) => cand.artists.some((c) => sameName(r, c)));
  if (found.length > 0) return found.length === req.artists.length ? 'all' : 'some';
  if (req.aliasArtists.some((r) => cand.artists.some((c) => sameName(r, c)))) return 'alias';
  return 'none';
}

/** The first artist and the whole set of credited artists (featured included) are the same. */
function sameCredits(req: TrackSide, cand: TrackSide): boolean {
  if (req.primary === null || cand.primary === null || !sameName(req.primary, cand.primary)) return false;
  const a = new Set(req.artists);
  const b = new Set(cand.artists);
  return a.size === b.size && [...a].every((x) => [...b].some((y) => sameName(x, y)));
}

function digits(s: string): string {
  return s.replace(/\D/g, '');
}

function titleRelation(req: RequestSide, cand: TrackSide): TitleRelation {
  const t = cand.title;
  if (!t || !t.key) return 'none';
  if (t.key === req.title.key) return 'exact';
  if (cand.cut && isCutOff(req.title, cand.cut)) return 'truncated';
  const a = req.title.key;
  const b = t.key;
  // One slip in a long title ("Lanterns" / "Lantern's" is already equal): same words, same numbers.
  if (a.length >= 8 && b.length >= 8 && withinOneEdit(a, b) && digits(a) === digits(b)) return 'near';
  return 'none';
}

/**
 * A file name cut off inside the title ("Merry Christmas Mr. Law"): the name must be a prefix of the
 * request's full title, cover at least half of its base, and show the cut (an unclosed bracket, or
 * a long name ending inside a word). A short name ending on a whole word is read as complete, so
 * "Born Slippy .NUXX" is never taken for "Born Slippy .NUXX - Short".
 */
function isCutOff(reqTitle: ParsedTitle, cut: NonNullable<TrackSide['cut']>): boolean {
  const fileKey = cut.key;
  const full = reqTitle.key + reqTitle.version.text;
  if (!fileKey || !full.startsWith(fileKey) || fileKey.length >= full.length) return false;
  if (fileKey.length < Math.max(3, Math.ceil(reqTitle.key.length / 2))) return false;
  if (cut.unbalanced || /[-–—([{,&;]\s*$/.test(cut.titleRaw)) return true;
  if (cut.stemLength < 32) return false;
  const fileTokens = fold(cut.titleRaw).split(' ');
  const reqTokens = fold(reqTitle.raw).split(' ');
  const last = fileTokens.length - 1;
  const reqToken = reqTokens[last];
  return reqToken !== undefined && reqToken !== fileTokens[last] && reqToken.startsWith(fileTokens[last] ?? '');
}

function whoAgrees(a: string[], b: string[]): 'same' | 'compatible' | 'different' {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 'same' : 'compatible';
  const hit = a.some((x) => b.some((y) => x === y || (x.length >= 3 && y.length >= 3 && (x.includes(y) || y.includes(x))) || sameName(x, y)));
  return hit ? 'same' : 'different';
}

// Starts of soft version words: a name cut inside one of them still names the plain version.
const SOFT_STARTS = ['originalmix', 'originalversion', 'albumversion', 'remastered', 'mono', 'stereo', 'explicit', 'bonustrack'];

function isSoftStart(partial: string): boolean {
  const p = partial.replace(/^(19|20)\d\d/, '');
  return p === '' ? true : SOFT_STARTS.some((w) => w.startsWith(p) || p.startsWith(w));
}

export function versionRelation(req: VersionInfo, cand: VersionInfo): VersionRelation {
  if (cand.partial === '') return 'unknown';
  if (cand.partial !== null) {
    // A cut-off version ("(Instrumen"): the request's version text must continue it.
    if (cand.partial.startsWith('feat') || cand.partial.startsWith('with')) return sameTags(req, cand) ? 'same' : 'different';
    if (!cand.tags.every((t) => req.tags.includes(t))) return 'different';
    if (cand.partial.length < 3) return 'unknown';
    if (req.text.includes(cand.partial)) return 'compatible';
    return req.tags.length === cand.tags.length && isSoftStart(cand.partial) ? 'compatible' : 'different';
  }
  if (!sameTags(req, cand)) return 'different';
  const who = whoAgrees(req.who, cand.who);
  if (who !== 'same') return who;
  // Two named remaster years are two different masters; a year on one side only is compatible.
  if (req.remasterYear !== null && cand.remasterYear !== null && req.remasterYear !== cand.remasterYear) return 'different';
  return 'same';
}

/** A name read loosely: a possessive or plural "s" dropped ("Tomorrow's" folds to "tomorrows" → "tomorrow"). */
function nameWords(words: string[]): Set<string> {
  return new Set(words.map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w)));
}

/**
 * One side is a mix named after its maker ("Kings of Tomorrow's April Mix": the remix tag and a
 * name), the other reads as the plain version but its version words name the same maker ("- Kings
 * Of Tomorrow April Main Mix"): the same names, give or take a possessive or plural "s" and one
 * word more on one side. Only a bare remix/mix label counts: a dub or an edit by the same person is
 * another recording. The caller still wants the lengths close.
 */
export function sameMixMaker(a: VersionInfo, b: VersionInfo): boolean {
  const pick = (x: VersionInfo, y: VersionInfo) => x.tags.length === 1 && x.tags[0] === 'remix' && x.who.length > 0 && y.tags.length === 0 && y.words.length > 0;
  const [named, plain] = pick(a, b) ? [a, b] : pick(b, a) ? [b, a] : [null, null];
  if (!named || !plain || named.decoy || plain.decoy || named.partial !== null || plain.partial !== null) return false;
  const x = nameWords(named.words);
  const y = nameWords(plain.words);
  const common = [...x].filter((w) => y.has(w)).length;
  const extra = x.size + y.size - 2 * common;
  // One-word names ("Ame") must be the same word exactly; longer ones may differ by one word.
  return common >= 2 ? extra <= 1 : common === 1 && extra === 0;
}

const LENGTH_LABELS = new Set(['edit', 'extended']);

function onlyLengthLabel(a: VersionInfo, b: VersionInfo): boolean {
  const [plain, other] = a.tags.length === 0 ? [a, b] : [b, a];
  if (plain.tags.length !== 0 || other.tags.length === 0 || other.partial !== null) return false;
  return other.who.length === 0 && other.tags.every((t) => LENGTH_LABELS.has(t));
}

function lengthDistance(a: TrackSide, b: TrackSide): number | null {
  if (a.durationMs === null || b.durationMs === null) return null;
  const aEnd = a.durationMs + a.durationSpanMs;
  const bEnd = b.durationMs + b.durationSpanMs;
  if (aEnd < b.durationMs) return b.durationMs - aEnd;
  if (bEnd < a.durationMs) return a.durationMs - bEnd;
  return 0;
}

export function assess(req: RequestSide, cand: TrackSide): Assessment {
  const isrc = req.isrc && cand.isrc ? (req.isrc === cand.isrc ? 'same' : 'different') : 'unknown';
  const title = titleRelation(req, cand);
  const candVersion = cand.title?.version;
  let version: VersionRelation = candVersion ? versionRelation(req.title.version, candVersion) : 'unknown';
  // A name cut inside the base title says nothing about the version.
  if (title === 'truncated') {
    const fileKey = cand.cut?.key ?? '';
    version = fileKey.length >= req.title.key.length + 3 ? 'compatible' : 'unknown';
  }
  const deltaMs = lengthDistance(req, cand);
  // The mix named on one side only by its maker: the same recording when the lengths are close too.
  if (version === 'different' && candVersion && deltaMs !== null && deltaMs <= CLOSE_LENGTH_MS && sameMixMaker(req.title.version, candVersion)) {
    version = 'compatible';
  }
  const lengthLabelOnly = !!candVersion && version === 'different' && onlyLengthLabel(req.title.version, candVersion);
  const artist = artistRelation(req, cand);
  return {
    isrc,
    title,
    artist,
    version,
    lengthLabelOnly,
    deltaMs,
    album: req.albumKey !== null && req.albumKey === cand.albumKey,
    credit: title === 'exact' && version === 'same' && sameCredits(req, cand),
  };
}
