/**
 * Text folding shared by every matcher: the same rules on both sides make "Róisín" equal
 * "Roisin", "Can’t" equal "CAN'T" and "Pt.1" equal "pt 1", while non-Latin scripts stay as they are.
 */

// Letters NFD does not decompose, so stripping combining marks alone would keep them.
const SPECIAL_LETTERS: Record<string, string> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  đ: 'd',
  ł: 'l',
  þ: 'th',
  ð: 'd',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŋ: 'n',
  ſ: 's',
};
const SPECIAL_RE = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'g');

// Tokens written several ways in track titles.
const TOKEN_SYNONYMS: Record<string, string> = { pt: 'part', vol: 'volume', feat: 'feat', ft: 'feat', featuring: 'feat' };

const foldCache = new Map<string, string>();

/**
 * Lower case, Latin diacritics removed, apostrophes dropped (can't → cant), dots dropped
 * (H.E.R. → her), `&` read as "and", every other non-letter/digit a space, letters and digits
 * split (pt1 → pt 1). Sanitised file-name characters (`_` for `/:?`) become spaces too.
 */
export function fold(text: string): string {
  const hit = foldCache.get(text);
  if (hit !== undefined) return hit;
  let s = text.normalize('NFKC').toLowerCase();
  s = s.replace(SPECIAL_RE, (c) => SPECIAL_LETTERS[c] ?? c);
  // Strip combining marks only after Latin letters: Cyrillic й or Japanese kana keep theirs.
  s = s.normalize('NFD').replace(/(\p{Script=Latin})\p{M}+/gu, '$1').normalize('NFC');
  s = s.replace(/['’‘`´ʼ]/g, '').replace(/\./g, '').replace(/&/g, ' and ');
  s = s.replace(/(\p{L})(\p{N})/gu, '$1 $2').replace(/(\p{N})(\p{L})/gu, '$1 $2');
  s = s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  s = s
    .split(' ')
    .map((t) => TOKEN_SYNONYMS[t] ?? t)
    .join(' ');
  if (foldCache.size > 20_000) foldCache.clear();
  foldCache.set(text, s);
  return s;
}

/**
 * Words of two or more letters/digits, lower case, all diacritics removed: a rough "do these
 * texts talk about the same track" view for ranking, never for deciding a match.
 */
export function looseWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
}

/** `fold` without spaces: the key two spellings must share to be "the same words". */
export function compact(text: string): string {
  return fold(text).replace(/ /g, '');
}

/** True when one insertion, deletion or substitution (or none) turns `a` into `b`; O(n). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) return a.slice(i + 1) === b.slice(i + 1);
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
