/**
 * Shared normalisation: artist lists, titles read into base words + structured version, and file
 * names ("01. Artist - Title (Version).flac", sanitised or truncated) read into artist and title.
 * Version words are kept in a structured form, never thrown away.
 */
import { compact, fold } from './fold.js';
import { readSegment } from './version-words.js';

export { compact, fold } from './fold.js';

export interface VersionInfo {
  /** Sorted hard tags; [] is the plain version ("Original Mix" counts as plain). */
  tags: string[];
  /** Compact names of remixers/editors ("ame", "rlgrime"). */
  who: string[];
  remasterYear: number | null;
  /** A cover/karaoke/tribute/"in the style of" marker is present. */
  decoy: boolean;
  /** Text of an unclosed trailing bracket of a cut-off name ("Instrumen"), compact; "" when only "(" or " -" is left; null if none. */
  partial: string | null;
  /** Compact text of all version segments, to check a cut-off version against. */
  text: string;
  /** Folded words of the version segments that are no version word (names, mostly). */
  words: string[];
}

export interface ParsedTitle {
  raw: string;
  /** Folded base title (version and feat. segments removed), spaced. */
  base: string;
  /** Compact base title: the key two spellings of one title share. */
  key: string;
  version: VersionInfo;
  /** Raw featured-artist strings taken out of the title. */
  featured: string[];
}

const ARTIST_SEPARATORS = /\s*(?:,|;|&|\+|\/|\s+and\s+|\s+x\s+|\s+×\s+|\s+vs\.?\s+|\s+feat\.?\s+|\s+ft\.?\s+|\s+featuring\s+|\s+with\s+)\s*/i;

/** Splits an artist credit ("A & B", "A, B; C", "A feat. B") into compact names, "the " dropped. */
export function splitArtists(raw: string | null | undefined): string[] {
  if (!raw) return [];
  const out: string[] = [];
  for (const part of raw.split(ARTIST_SEPARATORS)) {
    const c = compact(fold(part).replace(/^the /, ''));
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}

const titleCache = new Map<string, ParsedTitle>();
const OPEN = '([{';
const CLOSE = ')]}';

interface Segments {
  base: string;
  groups: string[];
  dashParts: string[];
  partial: string | null;
}

function splitSegments(raw: string): Segments {
  let base = '';
  const groups: string[] = [];
  let depth = 0;
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    if (OPEN.includes(ch)) {
      if (depth === 0) current = '';
      else current += ch;
      depth++;
    } else if (CLOSE.includes(ch) && depth > 0) {
      depth--;
      if (depth === 0) {
        groups.push(current);
        // Keep a placeholder so a non-version group ("(It Goes Like)") can be put back in place.
        base += `\uE000${groups.length - 1}\uE001`;
      } else current += ch;
    } else if (depth > 0) current += ch;
    else base += ch;
  }
  let partial = depth > 0 ? current : null;
  // A dangling " -" at the end: a version suffix followed and was cut away.
  const dangling = /\s[-–—]\s*$/.exec(base);
  if (dangling && partial === null) {
    partial = '';
    base = base.slice(0, dangling.index);
  }
  const dashParts = base.split(/\s+[-–—]\s+/);
  return { base: dashParts.shift() ?? '', groups, dashParts, partial };
}

function emptyVersion(): VersionInfo {
  return { tags: [], who: [], remasterYear: null, decoy: false, partial: null, text: '', words: [] };
}

/**
 * Reads a title: bracketed and " - " suffix segments with version words become the structured
 * version; feat./with segments become featured artists; anything else stays in the base title.
 */
export function parseTitle(raw: string): ParsedTitle {
  const hit = titleCache.get(raw);
  if (hit) return hit;
  const seg = splitSegments(raw);
  const version = emptyVersion();
  const featured: string[] = [];
  const tags = new Set<string>();
  const who: string[] = [];
  const texts: string[] = [];
  const keptGroups = new Map<number, string>();

  const absorb = (text: string): boolean => {
    const r = readSegment(text);
    if (!r) return false;
    if (r.featured !== null) {
      featured.push(r.featured);
      return true;
    }
    for (const t of r.tags) tags.add(t);
    for (const w of r.who) who.push(compact(w));
    version.words.push(...r.words);
    if (r.remasterYear !== null) version.remasterYear = r.remasterYear;
    if (r.decoy) version.decoy = true;
    texts.push(compact(text));
    return true;
  };

  seg.groups.forEach((g, i) => {
    if (!absorb(g)) keptGroups.set(i, g);
  });
  const restore = (s: string) => s.replace(/\uE000(\d+)\uE001/g, (_, n: string) => ` ${keptGroups.get(Number(n)) ?? ''} `);
  let base = restore(seg.base);
  for (const part of seg.dashParts) {
    const text = restore(part);
    if (!absorb(text)) base += ` ${text}`;
  }
  // Inline "Title feat. X" without brackets.
  const inlineFeat = /\s(?:feat\.?|ft\.?|featuring)\s+(.+)$/i.exec(base);
  if (inlineFeat?.[1]) {
    featured.push(inlineFeat[1]);
    base = base.slice(0, inlineFeat.index);
  }
  // "" when a version was cut before any of its letters: there was one, but which is unknown.
  if (seg.partial !== null) version.partial = compact(seg.partial);
  version.tags = [...tags].sort();
  version.who = who.filter((w) => w);
  version.text = texts.join('');
  const folded = fold(base);
  const parsed: ParsedTitle = { raw, base: folded, key: folded.replace(/ /g, ''), version, featured };
  if (titleCache.size > 20_000) titleCache.clear();
  titleCache.set(raw, parsed);
  return parsed;
}

export interface ParsedFileName {
  /** Name without folder, extension and track number. */
  stem: string;
  artist: string | null;
  title: string;
  /** The name shows it was cut off: an opening bracket never closed, or it ends in a space or separator. */
  unbalanced: boolean;
}

const AUDIO_EXT = /\.(flac|mp3|m4a|aac|ogg|oga|opus|wav|aiff?|alac|wma|ape|wv)$/i;

/** "01. Artist - Title (Version).flac" → artist "Artist", title "Title (Version)". */
export function parseFileName(fileName: string): ParsedFileName {
  const rawStem = fileName.trim().replace(/^.*[\\/]/, '').replace(AUDIO_EXT, '');
  // Nobody ends a name with a space or a dangling separator; a cut does.
  const danglingEnd = /(\s|[-–—([{,&;])$/.test(rawStem);
  let stem = rawStem.trim();
  // Track numbers: "01. ", "1) ", or "01 - " when an "Artist - Title" still follows.
  stem = stem.replace(/^\d{1,3}\s*[.)]\s+/, '');
  if (/^\d{1,3}\s*[-–_]\s+.+\s[-–—]\s/.test(stem)) stem = stem.replace(/^\d{1,3}\s*[-–_]\s+/, '');
  const sep = /\s+[-–—]\s+/.exec(stem);
  const artist = sep ? stem.slice(0, sep.index).trim() : null;
  const title = sep ? stem.slice(sep.index + sep[0].length).trim() : stem;
  let depth = 0;
  for (const ch of stem) {
    if (OPEN.includes(ch)) depth++;
    else if (CLOSE.includes(ch) && depth > 0) depth--;
  }
  return { stem, artist, title, unbalanced: depth > 0 || danglingEnd };
}

/** True when two version readings name the same set of hard tags. */
export function sameTags(a: VersionInfo, b: VersionInfo): boolean {
  return a.tags.length === b.tags.length && a.tags.every((t, i) => t === b.tags[i]);
}
