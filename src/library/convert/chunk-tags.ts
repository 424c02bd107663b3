/**
 * Tags for AIFF and WAV files, written as chunks at the end of the file: AIFF gets an `ID3 ` chunk
 * (big-endian, as Apple's IFF layout), WAV a `LIST`/`INFO` chunk plus an `id3 ` chunk
 * (little-endian RIFF). The container's own size is patched after the append. Only chunk headers
 * are read (bounded count), never the audio. Runs on a file Crate just made, before it has a name.
 */
import { open } from 'node:fs/promises';
import type { Comment } from '../tags/tag-plan.js';
import { buildId3v23, type Id3Input } from './id3v2.js';

const MAX_CHUNKS = 1000;

export class ChunkError extends Error {
  override readonly name = 'ChunkError';
}

interface Container {
  kind: 'aiff' | 'wav';
  littleEndian: boolean;
  size: number;
  chunks: { id: string; offset: number; size: number }[];
}

export async function readContainer(file: string): Promise<Container> {
  const h = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    await h.read(head, 0, 12, 0);
    const magic = head.toString('latin1', 0, 4);
    const form = head.toString('latin1', 8, 12);
    let kind: Container['kind'];
    if (magic === 'FORM' && (form === 'AIFF' || form === 'AIFC')) kind = 'aiff';
    else if (magic === 'RIFF' && form === 'WAVE') kind = 'wav';
    else throw new ChunkError('not an AIFF or WAV file');
    const littleEndian = kind === 'wav';
    const { size: fileSize } = await h.stat();
    const chunks: Container['chunks'] = [];
    const hdr = Buffer.alloc(8);
    for (let at = 12; at + 8 <= fileSize; ) {
      if (chunks.length >= MAX_CHUNKS) throw new ChunkError(`more than ${MAX_CHUNKS} chunks`);
      await h.read(hdr, 0, 8, at);
      const size = littleEndian ? hdr.readUInt32LE(4) : hdr.readUInt32BE(4);
      chunks.push({ id: hdr.toString('latin1', 0, 4), offset: at, size });
      at += 8 + size + (size % 2);
    }
    return { kind, littleEndian, size: fileSize, chunks };
  } finally {
    await h.close();
  }
}

function chunk(id: string, body: Buffer, littleEndian: boolean): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'latin1');
  if (littleEndian) head.writeUInt32LE(body.length, 4);
  else head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** RIFF INFO: the fields players without ID3 support read (title, artist, album, date, track). */
export function listInfo(comments: readonly Comment[]): Buffer | null {
  const fields: [string, string][] = [
    ['TITLE', 'INAM'],
    ['ARTIST', 'IART'],
    ['ALBUM', 'IPRD'],
    ['DATE', 'ICRD'],
    ['TRACKNUMBER', 'ITRK'],
    ['GENRE', 'IGNR'],
  ];
  const subs: Buffer[] = [];
  for (const [key, id] of fields) {
    const values = comments.filter((c) => c.key.toUpperCase() === key && c.value.trim() !== '').map((c) => c.value);
    if (values.length === 0) continue;
    subs.push(chunk(id, Buffer.from(`${values.join(', ')}\0`, 'utf8'), true));
  }
  return subs.length > 0 ? Buffer.concat([Buffer.from('INFO', 'latin1'), ...subs]) : null;
}

/** Appends the tag chunks; a file that already has tag chunks is refused (Crate tags only what it made). */
export async function writeChunkTags(file: string, input: Id3Input): Promise<void> {
  const c = await readContainer(file);
  if (c.chunks.some((ch) => ch.id.toLowerCase() === 'id3 ' || ch.id === 'LIST')) throw new ChunkError('the file already has tag chunks');
  const parts: Buffer[] = [];
  if (c.kind === 'wav') {
    const info = listInfo(input.comments);
    if (info) parts.push(chunk('LIST', info, true));
    parts.push(chunk('id3 ', buildId3v23(input), true));
  } else {
    parts.push(chunk('ID3 ', buildId3v23(input), false));
  }
  const tail = Buffer.concat(parts);
  // An odd-sized last chunk without its pad byte would shift ours: pad the end first.
  const pad = c.size % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0);
  const total = c.size + pad.length + tail.length;
  if (total - 8 > 0xffffffff) throw new ChunkError('the file is too large for its container');
  const h = await open(file, 'r+');
  try {
    await h.write(Buffer.concat([pad, tail]), 0, pad.length + tail.length, c.size);
    const size = Buffer.alloc(4);
    if (c.littleEndian) size.writeUInt32LE(total - 8, 0);
    else size.writeUInt32BE(total - 8, 0);
    await h.write(size, 0, 4, 4);
    await h.sync();
  } finally {
    await h.close();
  }
}
