/**
 * File and folder names that are safe on Linux, macOS and Windows (and on the FAT/exFAT USB sticks
 * DJs carry): no separators or `..` escapes, no control characters, no Windows reserved names or
 * characters, no trailing dots or spaces, at most 255 bytes of UTF-8 per component.
 */

export const MAX_COMPONENT_BYTES = 255;

/** Windows reserves these base names whatever the extension (CON.flac is as bad as CON). */
const RESERVED = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])$/i;

/**
 * Control characters (C0, DEL, C1) and the bidi overrides/isolates that can disguise an extension
 * ("song\u202Ecalf.exe"). Plain RTL/LTR marks (U+200E/U+200F) stay: Hebrew and Arabic titles use them.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Characters Windows forbids, replaced by lookalikes that read the same to a person. */
function replaceForbidden(s: string): string {
  return s
    .replace(/\s*[/\\]\s*/g, (m) => (m.trim() === m ? '-' : ' - ')) // "AC/DC" → "AC-DC", "A / B" → "A - B"
    .replace(/:\s+/g, ' - ') // "Title: Subtitle" → "Title - Subtitle"
    .replace(/:/g, '-')
    .replace(/"/g, "'")
    .replace(/[<>]/g, '')
    .replace(/\|/g, '-')
    .replace(/[?*]/g, '');
}

/**
 * One path component (a folder name, or a file name when `extension` is given, e.g. ".flac").
 * Never returns an empty string, ".", ".." or a reserved name.
 */
export function sanitizeComponent(raw: string, options: { extension?: string; fallback?: string; maxBytes?: number } = {}): string {
  const ext = options.extension ?? '';
  const maxBytes = options.maxBytes ?? MAX_COMPONENT_BYTES;
  let s = raw.normalize('NFC').replace(/[\t\n\r\v\f]+/g, ' ').replace(UNSAFE_CHARS, '');
  // "." and ".." segments go entirely ("../../x" → "x"), before separators become dashes.
  s = s.replace(/(^|[/\\])\s*\.{1,2}\s*(?=[/\\]|$)/g, '$1').replace(/[/\\]{2,}/g, '/').replace(/^[/\\]+|[/\\]+$/g, '');
  s = replaceForbidden(s);
  s = s.replace(/\s+/g, ' ').trim();
  s = s.replace(/^\.+/, '').trim(); // no hidden files, no "." or ".."
  s = trimEnd(s);
  if (s === '') s = options.fallback ?? '_';
  if (RESERVED.test(s.split('.')[0]!.trim())) s = `${s}_`;
  return cutToBytes(s, maxBytes - Buffer.byteLength(ext, 'utf8')) + ext;
}

/** Cuts to at most `maxBytes` of UTF-8 on a grapheme boundary (an emoji or accented letter is never split). */
export function cutToBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(s)) {
    const b = Buffer.byteLength(segment, 'utf8');
    if (bytes + b > maxBytes) break;
    out += segment;
    bytes += b;
  }
  const trimmed = trimEnd(out);
  return trimmed === '' ? '_' : trimmed;
}

/** Windows drops trailing dots and spaces silently, which makes two names collide; drop them ourselves. */
function trimEnd(s: string): string {
  return s.replace(/[. ]+$/, '');
}

/** A name with " (n)" before the extension, still within the byte limit. */
export function numberedName(fileName: string, n: number, extension: string, maxBytes = MAX_COMPONENT_BYTES): string {
  const stem = fileName.endsWith(extension) ? fileName.slice(0, fileName.length - extension.length) : fileName;
  const suffix = ` (${n})`;
  return cutToBytes(stem, maxBytes - Buffer.byteLength(suffix + extension, 'utf8')) + suffix + extension;
}
