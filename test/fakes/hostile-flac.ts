/**
 * FLAC files made to hurt a reader: real files from the reference encoder (sox + flac) or the test
 * writer, with crafted metadata blocks inserted (comment bombs, giant pictures), STREAMINFO fields
 * changed (no max frame size) or garbage appended, middles zeroed and ends cut.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function hasReferenceTools(): string | null {
  for (const tool of ['sox', 'flac']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return null;
}

/** A real FLAC from the reference encoder: a sine (so frames are not all alike), with tags. */
export function referenceFlac(dir: string, name: string, o: { seconds: number; rate?: number; bits?: 16 | 24; tags?: Record<string, string> }): string {
  const wav = path.join(dir, `${name}.wav`);
  const out = path.join(dir, `${name}.flac`);
  execFileSync('sox', ['-n', '-r', String(o.rate ?? 44100), '-b', String(o.bits ?? 16), '-c', '2', wav, 'synth', String(o.seconds), 'sine', '220-880', 'sine', '330'], { stdio: 'ignore' });
  const tags = Object.entries(o.tags ?? {}).flatMap(([k, v]) => ['-T', `${k}=${v}`]);
  execFileSync('flac', ['-s', '-f', ...tags, '-o', out, wav], { stdio: 'ignore' });
  return out;
}

export interface RawBlock {
  type: number;
  body: Buffer;
}

/** The file's metadata blocks and where its audio starts. */
function splitFlac(flac: Buffer): { blocks: RawBlock[]; audio: Buffer } {
  if (flac.toString('latin1', 0, 4) !== 'fLaC') throw new Error('not a FLAC');
  const blocks: RawBlock[] = [];
  let p = 4;
  for (let last = false; !last; ) {
    last = (flac[p]! & 0x80) !== 0;
    const type = flac[p]! & 0x7f;
    const len = flac.readUIntBE(p + 1, 3);
    blocks.push({ type, body: flac.subarray(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return { blocks, audio: flac.subarray(p) };
}

function joinFlac(blocks: RawBlock[], audio: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from('fLaC', 'latin1')];
  blocks.forEach((b, i) => {
    const h = Buffer.alloc(4);
    h[0] = (i === blocks.length - 1 ? 0x80 : 0) | b.type;
    h.writeUIntBE(b.body.length, 1, 3);
    parts.push(h, b.body);
  });
  parts.push(audio);
  return Buffer.concat(parts);
}

/** Replaces the file's Vorbis comments / adds blocks after STREAMINFO. */
export function withBlocks(flac: Buffer, extra: RawBlock[], options: { dropTags?: boolean } = {}): Buffer {
  const { blocks, audio } = splitFlac(flac);
  const kept = blocks.filter((b) => !(options.dropTags && b.type === 4));
  return joinFlac([kept[0]!, ...extra, ...kept.slice(1)], audio);
}

/** A VORBIS_COMMENT body with `count` comments of `KEY=value` (value repeated to `valueBytes`). */
export function vorbisComments(count: number, valueBytes = 1, declaredCount = count): Buffer {
  const one = Buffer.from(`COMMENT=${'x'.repeat(valueBytes)}`, 'latin1');
  const vendor = Buffer.from('bomb', 'latin1');
  const body = Buffer.alloc(4 + vendor.length + 4 + count * (4 + one.length));
  let p = body.writeUInt32LE(vendor.length, 0);
  p += vendor.copy(body, p);
  p = body.writeUInt32LE(declaredCount, p);
  for (let i = 0; i < count; i++) {
    p = body.writeUInt32LE(one.length, p);
    p += one.copy(body, p);
  }
  return body;
}

/** A PICTURE body (front cover, image/jpeg) holding `bytes` of picture data. */
export function picture(bytes: number): Buffer {
  const mime = Buffer.from('image/jpeg', 'latin1');
  const head = Buffer.alloc(4 + 4 + mime.length + 4 + 16 + 4);
  let p = head.writeUInt32BE(3, 0);
  p = head.writeUInt32BE(mime.length, p);
  p += mime.copy(head, p);
  p = head.writeUInt32BE(0, p); // no description
  p = head.writeUInt32BE(600, p);
  p = head.writeUInt32BE(600, p);
  p = head.writeUInt32BE(24, p);
  p = head.writeUInt32BE(0, p);
  head.writeUInt32BE(bytes, p);
  return Buffer.concat([head, Buffer.alloc(bytes, 0xd8)]);
}

/** STREAMINFO's max frame size set to 0 ("unknown"), as some encoders write it. */
export function withoutMaxFrameSize(flac: Buffer): Buffer {
  const out = Buffer.from(flac);
  out.writeUIntBE(0, 8 + 7, 3);
  return out;
}

/**
 * Bytes that look like audio frames to a scanner: FLAC sync codes followed by frame headers with a
 * valid CRC-8, over and over — the worst case for a scan that checks each candidate to the end.
 */
export function fakeFrameHeaders(bytes: number): Buffer {
  const header = [0xff, 0xf8, 0xc9, 0x18, 0x00];
  header.push(crc8(header));
  const unit = Buffer.from([...header, 0x55, 0xaa]);
  const out = Buffer.alloc(bytes);
  for (let p = 0; p < bytes; p += unit.length) unit.copy(out, p, 0, Math.min(unit.length, bytes - p));
  return out;
}

/** Zeroes `length` bytes of the audio starting at `fraction` of the file. */
export function zeroed(flac: Buffer, fraction: number, length: number): Buffer {
  const out = Buffer.from(flac);
  const at = Math.floor(flac.length * fraction);
  out.fill(0, at, Math.min(flac.length, at + length));
  return out;
}

export function read(file: string): Buffer {
  return readFileSync(file);
}

function crc8(bytes: number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}
