/**
 * Terminal cells, not characters: a CJK character or most emoji take two columns, combining marks
 * none. The live progress block cuts each line to the terminal's width so that it never wraps
 * (a wrapped line leaves stale rows behind when the block is redrawn).
 */
import stringWidth from 'string-width';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** `text` cut to at most `columns` cells, with "…" when something was cut. */
export function fitToWidth(text: string, columns: number): string {
  if (columns <= 0) return '';
  if (stringWidth(text) <= columns) return text;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > columns - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}
