/**
 * The vocabulary of version words. A bracketed or " - " suffix segment of a title is read into
 * canonical tags ("extended", "remix", "dub"…), the names of remixers/editors, and soft words that
 * describe the same recording (original mix, remaster YEAR, album version…). Decoy words (karaoke,
 * cover, tribute, "made famous by", "in the style of") are flagged so pickers can refuse them.
 */
import { fold } from './fold.js';

export interface SegmentReading {
  /** Hard version tags: two recordings with different tag sets are different versions. */
  tags: string[];
  /** Who made the version ("ame", "rl grime"), for remix/edit/rework-like tags. */
  who: string[];
  /** Year of a remaster ("2004 Remaster"), soft: the same recording. */
  remasterYear: number | null;
  /** The segment names only soft words (original mix, album version, remastered, mono…). */
  soft: boolean;
  decoy: boolean;
  /** Featured artists, when the segment is "feat. X" / "with X". */
  featured: string | null;
  /**
   * The words left once version words are taken out, whether or not they name a person: "Kings Of
   * Tomorrow April Main Mix" reads as the plain version, but still says whose mix it is.
   */
  words: string[];
}

interface Rule {
  re: RegExp;
  all?: RegExp;
  tag: string | null; // null: soft word
  /** The tokens around this word name a person (remixer, editor). */
  named?: boolean;
  /** Only counts when no other version word was found ("Skream VIP Mix" is a VIP, not also a remix). */
  alone?: boolean;
}

// Order matters: multi-word phrases first, so "radio edit" is read before "edit".
const RULES: Rule[] = [
  { re: /\b(original|album|lp|main|standard)( (mix|version|edit|cut))?\b/, tag: null },
  { re: /\b(radio|short)( (edit|version|mix|cut))?\b|\bsingle (edit|version|mix|cut)\b/, tag: 'edit' },
  { re: /\b(extended|long|full length)( (mix|version|edit|cut))?\b|\b12 (inch|mix|version)\b/, tag: 'extended' },
  { re: /\bclub (mix|version|edit)\b/, tag: 'club' },
  { re: /\bvocal (mix|version|edit)\b/, tag: 'vocal' },
  { re: /\b(dub)( (mix|version))?\b/, tag: 'dub', named: true },
  { re: /\b(instrumental|inst)( (mix|version))?\b/, tag: 'instrumental' },
  { re: /\b(a ?capp?ella)\b/, tag: 'acapella' },
  { re: /\blive\b/, tag: 'live' },
  { re: /\b(acoustic|unplugged)\b/, tag: 'acoustic' },
  { re: /\bvip\b/, tag: 'vip', named: true },
  { re: /\bre ?work(ed)?\b/, tag: 'rework', named: true },
  { re: /\bre ?plant\b/, tag: 'replant', named: true },
  { re: /\bre ?fix\b/, tag: 'refix', named: true },
  { re: /\bre ?edit\b/, tag: 'reedit', named: true },
  { re: /\bre ?mix(ed)?\b|\brmx\b/, tag: 'remix', named: true },
  { re: /\bbootleg\b/, tag: 'bootleg', named: true },
  { re: /\bflip\b/, tag: 'flip', named: true },
  { re: /\bmash ?up\b/, tag: 'mashup', named: true },
  { re: /\breprise\b/, tag: 'reprise' },
  { re: /\bdemo\b/, tag: 'demo' },
  { re: /\bslowed\b/, tag: 'slowed' },
  { re: /\bsped up\b/, tag: 'spedup' },
  { re: /\bnightcore\b/, tag: 'nightcore' },
  { re: /\bmixed\b/, tag: 'mixed' },
  { re: /\bedit\b/, tag: 'edit', named: true },
  { re: /\bmix\b/, tag: 'remix', named: true, alone: true },
  { re: /\b(remaster(ed)?|remastering)\b/, tag: null },
  { re: /^ from .*$|\b(soundtrack|ost|motion picture)\b/, tag: null },
  { re: /\b(mono|stereo|explicit|clean|bonus track|deluxe|anniversary|edition)\b/, tag: null },
];

const DECOY_RE =
  /\b(karaoke|cover|covers|tribute|made famous|in the style of|originally performed|as performed by|as populari[sz]ed|as made famous|backing track|sound ?alike|re ?recorded)\b/;

// Words left after the rules that do not name a person ("version", "mix", years…).
const FILLER = new Set(['version', 'mix', 'edit', 'the', 'by', 'a', 'and', 'original', 'remaster', 'remastered', 'cut']);

const FEAT_RE = /^(feat|with)\b\s*(.*)$/;

/** Reads one segment ("Ame Remix", "2004 Remaster", "feat. X"); null when it holds no version word. */
export function readSegment(raw: string): SegmentReading | null {
  const text = fold(raw);
  if (!text) return null;
  const feat = FEAT_RE.exec(text);
  if (feat) return { tags: [], who: [], remasterYear: null, soft: true, decoy: false, featured: raw.replace(/^\s*(feat\.?|ft\.?|featuring|with)\s*/i, ''), words: [] };
  const decoy = DECOY_RE.test(text);
  let rest = ` ${text} `;
  const tags = new Set<string>();
  let named = false;
  let matched = decoy;
  for (const rule of RULES) {
    if (!rule.re.test(rest)) continue;
    if (rule.alone && tags.size > 0) continue;
    matched = true;
    if (rule.tag) tags.add(rule.tag);
    if (rule.named) named = true;
    rule.all ??= new RegExp(rule.re.source, 'g');
    rest = rest.replace(rule.all, ' ');
  }
  const yearMatch = /\b(19|20)\d\d\b/.exec(text);
  const remasterYear = /\bremaster/.test(text) && yearMatch ? Number(yearMatch[0]) : null;
  // A bare year in brackets ("(1999)") is a release note, not another recording.
  if (!matched && /^(19|20)\d\d$/.test(text)) return { tags: [], who: [], remasterYear: null, soft: true, decoy: false, featured: null, words: [] };
  if (!matched) return null;
  if (decoy) tags.add('cover');
  const leftover = rest
    .split(' ')
    .filter((t) => t && !FILLER.has(t) && !/^(19|20)\d\d$/.test(t))
    .join(' ');
  const who = named && leftover && !decoy ? [leftover] : [];
  // "Seiji Mix" names a remixer; "Extended Mix" names none and stays "extended".
  if (tags.has('remix') && tags.size > 1 && who.length === 0) tags.delete('remix');
  return { tags: [...tags].sort(), who, remasterYear, soft: tags.size === 0 && !decoy, decoy, featured: null, words: decoy || !leftover ? [] : leftover.split(' ') };
}
