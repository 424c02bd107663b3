/**
 * A small ID3v2.3 tag writer for AIFF and WAV files (the version Rekordbox, Serato, Traktor and the
 * CDJs all read): text frames in ISO-8859-1 when they fit, else UTF-16 with a BOM, and an APIC
 * front cover. Sizes are checked against the format's limits before anything is built.
 */
import type { Comment } from '../tags/tag-plan.js';

export interface Id3Input {
  comments: readonly Comment[];
  cover: { data: Buffer; mime: string } | null;
}

/** Vorbis field → ID3v2.3 frame. v2.3 has one value per frame: several ARTIST values are joined. */
const FRAMES: [string, string][] = [
  ['TITLE', 'TIT2'],
  ['ARTIST', 'TPE1'],
  ['ALBUM', 'TALB'],
  ['ALBUMARTIST', 'TPE2'],
  ['TRACKNUMBER', 'TRCK'],
  ['DISCNUMBER', 'TPOS'],
  ['ISRC', 'TSRC'],
  ['GENRE', 'TCON'],
];

const MAX_TAG_BYTES = (1 << 28) - 1; // syncsafe 28-bit size

function syncsafe(n: number): Buffer {
  if (n > MAX_TAG_BYTES) throw new Error(`ID3 tag of ${n} bytes is too large`);
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f]);
}

function encodeText(text: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\xff]*$/.test(text)) return Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')]);
  return Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

function frame(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.write(id, 0, 'latin1');
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function valuesOf(comments: readonly Comment[], key: string): string[] {
  return comments.filter((c) => c.key.toUpperCase() === key && c.value.trim() !== '').map((c) => c.value);
}

export function buildId3v23(input: Id3Input): Buffer {
  const frames: Buffer[] = [];
  for (const [field, id] of FRAMES) {
    const values = valuesOf(input.comments, field);
    if (values.length > 0) frames.push(frame(id, encodeText(field.endsWith('ARTIST') ? values.join(', ') : values[0]!)));
  }
  const date = valuesOf(input.comments, 'DATE')[0];
  const year = date ? /^(\d{4})/.exec(date)?.[1] : undefined;
  if (year) frames.push(frame('TYER', encodeText(year)));
  const md = date ? /^\d{4}-(\d{2})-(\d{2})/.exec(date) : null;
  if (md) frames.push(frame('TDAT', encodeText(`${md[2]}${md[1]}`))); // DDMM
  if (input.cover) {
    // encoding 0, MIME, NUL, picture type 3 (front cover), empty description, NUL, the image.
    frames.push(frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from(input.cover.mime, 'latin1'), Buffer.from([0, 3, 0]), input.cover.data])));
  }
  const body = Buffer.concat(frames);
  return Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([3, 0, 0]), syncsafe(body.length), body]);
}
