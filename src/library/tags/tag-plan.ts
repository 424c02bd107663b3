/**
 * Which Vorbis comments a file should carry, given what it has and what Spotify knows about the
 * track. Pure and table-tested. `fill` adds only what is missing; `overwrite` replaces what differs
 * but keeps a bot tag that already says the same thing (a "2019" DATE for a 2019-05-17 release,
 * "A, B" for the artists A and B); `keep` changes nothing.
 */
import type { TrackInfo } from '../../domain/track.js';

export const TAG_MODES = ['fill', 'overwrite', 'keep'] as const;
export type TagMode = (typeof TAG_MODES)[number];

export interface Comment {
  key: string;
  value: string;
}

/** The fields Crate writes, in the order it writes them. */
export const TAG_FIELDS = ['TITLE', 'ARTIST', 'ALBUM', 'ALBUMARTIST', 'DATE', 'TRACKNUMBER', 'DISCNUMBER', 'ISRC'] as const;
export type TagField = (typeof TAG_FIELDS)[number];
export type WantedTags = Partial<Record<TagField, string[]>>;

const clean = (v: string | null | undefined): string | null => {
  const t = v?.replace(/[\r\n\t]+/g, ' ').trim();
  return t ? t : null;
};
const list = (values: readonly (string | null | undefined)[] | undefined): string[] | undefined => {
  const out = (values ?? []).map(clean).filter((v): v is string => v !== null);
  return out.length > 0 ? out : undefined;
};
const num = (n: number | null | undefined): string[] | undefined => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? [String(n)] : undefined);

/** What the track knows, as Vorbis comment values (multiple ARTIST values, one per artist). */
export function wantedTags(track: TrackInfo): WantedTags {
  const wanted: WantedTags = {
    TITLE: list([track.title]),
    ARTIST: list(track.artists),
    ALBUM: list([track.album]),
    ALBUMARTIST: list(track.albumArtists),
    DATE: list([track.releaseDate ?? (track.releaseYear !== null ? String(track.releaseYear) : null)]),
    TRACKNUMBER: num(track.trackNumber),
    DISCNUMBER: num(track.discNumber),
    ISRC: list([track.isrc]),
  };
  for (const f of TAG_FIELDS) if (wanted[f] === undefined) delete wanted[f];
  return wanted;
}

const fold = (s: string) => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
/** "A, B", "A & B", "A feat. B", "A; B" and separate values all name the same set of artists. */
const artistSet = (values: string[]) =>
  new Set(values.flatMap((v) => fold(v).split(/\s*(?:,|;|&|\/|\bfeat\.?|\bft\.?|\bfeaturing\b|\band\b)\s*/)).filter((s) => s !== ''));

/** Does the file's value already say what Spotify says? */
export function agrees(field: TagField, have: string[], want: string[]): boolean {
  if (have.length === 0) return false;
  switch (field) {
    case 'ARTIST':
    case 'ALBUMARTIST': {
      const a = artistSet(have);
      const b = artistSet(want);
      return a.size === b.size && [...a].every((x) => b.has(x));
    }
    case 'DATE': {
      // A year is right when the release is in that year; a fuller date must match as far as it goes.
      const h = have[0]!.trim();
      return h.length >= 4 && (want[0]!.startsWith(h) || h.startsWith(want[0]!));
    }
    case 'TRACKNUMBER':
    case 'DISCNUMBER':
      return parseInt(have[0]!, 10) === parseInt(want[0]!, 10);
    case 'ISRC':
      return have[0]!.replace(/[\s-]/g, '').toUpperCase() === want[0]!.replace(/[\s-]/g, '').toUpperCase();
    default:
      return fold(have.join(' ')) === fold(want.join(' '));
  }
}

export interface CommentPlan {
  comments: Comment[];
  /** Fields added or replaced (empty: nothing to write). */
  changed: TagField[];
}

export function planComments(existing: readonly Comment[], wanted: WantedTags, mode: TagMode): CommentPlan {
  if (mode === 'keep') return { comments: [...existing], changed: [] };
  const valuesOf = (field: string) => existing.filter((c) => c.key.toUpperCase() === field && c.value.trim() !== '').map((c) => c.value);
  const changed: TagField[] = [];
  let comments = [...existing];
  for (const field of TAG_FIELDS) {
    const want = wanted[field];
    if (!want) continue;
    const have = valuesOf(field);
    if (have.length > 0 && (mode === 'fill' || agrees(field, have, want))) continue;
    // Replace every value of the field (including empty ones), then add ours at the end.
    comments = comments.filter((c) => c.key.toUpperCase() !== field);
    comments.push(...want.map((value) => ({ key: field, value })));
    changed.push(field);
  }
  return { comments, changed };
}

/** Should a cover be embedded? fill: only when the file has no front cover; overwrite: whenever we have one. */
export function wantsCover(mode: TagMode, hasFrontCover: boolean): boolean {
  return mode === 'overwrite' || (mode === 'fill' && !hasFrontCover);
}
