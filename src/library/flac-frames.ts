/**
 * Is a FLAC file complete? Tags and STREAMINFO sit at the start, so a download cut short still
 * "parses" (music-metadata reads the first 3 KB of a 2 s file happily). The honest check is at
 * the end: the last audio frame must be whole (its CRC-16 matches up to end of file) and must end
 * at the sample count STREAMINFO promises. No decoding needed; a few KB are read.
 */
import { open } from 'node:fs/promises';

export type FlacIntegrity =
  | { ok: true; totalSamples: number; sampleRate: number }
  | { ok: false; kind: 'not_flac' | 'truncated'; reason: string };

interface StreamInfo {
  minBlockSize: number;
  maxBlockSize: number;
  maxFrameSize: number;
  sampleRate: number;
  totalSamples: number;
}

const TAIL_MIN = 1 << 20;

export async function checkFlacIntegrity(file: string): Promise<FlacIntegrity> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const read = async (pos: number, len: number): Promise<Buffer> => {
      const buf = Buffer.alloc(Math.max(0, Math.min(len, size - pos)));
      if (buf.length > 0) await fh.read(buf, 0, buf.length, pos);
      return buf;
    };

    let pos = 0;
    const id3 = await read(0, 10);
    if (id3.length === 10 && id3.toString('latin1', 0, 3) === 'ID3') {
      // An ID3v2 tag in front of fLaC happens; its size is syncsafe (7 bits per byte).
      pos = 10 + ((id3[6]! & 0x7f) << 21) + ((id3[7]! & 0x7f) << 14) + ((id3[8]! & 0x7f) << 7) + (id3[9]! & 0x7f);
    }
    if ((await read(pos, 4)).toString('latin1') !== 'fLaC') return { ok: false, kind: 'not_flac', reason: 'no FLAC signature ("fLaC") at the start' };
    pos += 4;

    let info: StreamInfo | null = null;
    for (let last = false; !last; ) {
      const head = await read(pos, 4);
      if (head.length < 4) return truncated('the file ends inside its metadata blocks (no audio at all)');
      last = (head[0]! & 0x80) !== 0;
      const type = head[0]! & 0x7f;
      const length = head.readUIntBE(1, 3);
      if (type === 0) info = parseStreamInfo(await read(pos + 4, 34));
      pos += 4 + length;
      if (pos > size) return truncated('the file ends inside its metadata blocks (no audio at all)');
    }
    if (!info) return { ok: false, kind: 'not_flac', reason: 'no STREAMINFO block' };
    const audioStart = pos;
    if (audioStart >= size) {
      return info.totalSamples === 0 ? { ok: true, totalSamples: 0, sampleRate: info.sampleRate } : truncated('the file has no audio frames');
    }

    let end = size;
    if (size - audioStart >= 128 && (await read(size - 128, 3)).toString('latin1') === 'TAG') end -= 128; // trailing ID3v1
    // The last frame is at most max-frame-size long (when the encoder recorded it).
    const window = info.maxFrameSize > 0 ? info.maxFrameSize + 64 : TAIL_MIN;
    const start = Math.max(audioStart, end - window);
    const tail = await read(start, end - start);

    const lastFrame = findLastFrame(tail, info);
    if (!lastFrame) return truncated(`the last audio frame is cut off (${describe(info)})`);
    if (info.totalSamples > 0 && lastFrame.endSample < info.totalSamples) {
      const at = (lastFrame.endSample / info.sampleRate).toFixed(2);
      const of = (info.totalSamples / info.sampleRate).toFixed(2);
      return truncated(`the audio stops at ${at} s of ${of} s`);
    }
    return { ok: true, totalSamples: info.totalSamples, sampleRate: info.sampleRate };
  } finally {
    await fh.close();
  }
}

function truncated(reason: string): FlacIntegrity {
  return { ok: false, kind: 'truncated', reason: `truncated: ${reason}` };
}

function describe(info: StreamInfo): string {
  return info.totalSamples > 0 && info.sampleRate > 0 ? `the stream should last ${(info.totalSamples / info.sampleRate).toFixed(2)} s` : 'length unknown';
}

function parseStreamInfo(b: Buffer): StreamInfo | null {
  if (b.length < 18) return null;
  const sampleRate = (b[10]! << 12) | (b[11]! << 4) | (b[12]! >> 4);
  // 36-bit sample count: 4 bits in byte 13, then 4 bytes.
  const totalSamples = (b[13]! & 0x0f) * 2 ** 32 + b.readUInt32BE(14);
  return {
    minBlockSize: b.readUInt16BE(0),
    maxBlockSize: b.readUInt16BE(2),
    maxFrameSize: b.readUIntBE(7, 3),
    sampleRate,
    totalSamples,
  };
}

/** Scans back from the end for the frame header whose CRC-16 covers exactly the rest of the file. */
function findLastFrame(tail: Buffer, info: StreamInfo): { endSample: number } | null {
  const lowest = info.maxFrameSize > 0 ? Math.max(0, tail.length - info.maxFrameSize - 16) : 0;
  for (let i = tail.length - 4; i >= lowest; i--) {
    if (tail[i] !== 0xff || (tail[i + 1]! & 0xfe) !== 0xf8) continue;
    const h = parseFrameHeader(tail, i);
    if (!h) continue;
    if (crc16(tail, i, tail.length - 2) !== tail.readUInt16BE(tail.length - 2)) continue;
    const first = h.variable ? h.number : h.number * (info.minBlockSize || h.blockSize);
    return { endSample: first + h.blockSize };
  }
  return null;
}

interface FrameHeader {
  variable: boolean;
  /** Frame number (fixed block size) or first sample number (variable). */
  number: number;
  blockSize: number;
}

/** RFC 9639 §9.1: sync, codes, UTF-8-style coded number, optional size/rate bytes, CRC-8. */
function parseFrameHeader(b: Buffer, at: number): FrameHeader | null {
  if (at + 6 > b.length) return null;
  const variable = (b[at + 1]! & 0x01) === 1;
  const bsCode = b[at + 2]! >> 4;
  const srCode = b[at + 2]! & 0x0f;
  const chCode = b[at + 3]! >> 4;
  const ssCode = (b[at + 3]! >> 1) & 0x07;
  if (bsCode === 0 || srCode === 15 || chCode > 10 || ssCode === 3 || (b[at + 3]! & 1) !== 0) return null;
  let p = at + 4;
  const first = b[p]!;
  let extra: number;
  let value: number;
  if (first < 0x80) [extra, value] = [0, first];
  else if ((first & 0xe0) === 0xc0) [extra, value] = [1, first & 0x1f];
  else if ((first & 0xf0) === 0xe0) [extra, value] = [2, first & 0x0f];
  else if ((first & 0xf8) === 0xf0) [extra, value] = [3, first & 0x07];
  else if ((first & 0xfc) === 0xf8) [extra, value] = [4, first & 0x03];
  else if ((first & 0xfe) === 0xfc) [extra, value] = [5, first & 0x01];
  else if (first === 0xfe) [extra, value] = [6, 0];
  else return null;
  if (!variable && extra > 5) return null;
  p++;
  for (let k = 0; k < extra; k++, p++) {
    if (p >= b.length || (b[p]! & 0xc0) !== 0x80) return null;
    value = value * 64 + (b[p]! & 0x3f);
  }
  let blockSize: number;
  if (bsCode === 1) blockSize = 192;
  else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
  else if (bsCode === 6) {
    if (p >= b.length) return null;
    blockSize = b[p++]! + 1;
  } else if (bsCode === 7) {
    if (p + 1 >= b.length) return null;
    blockSize = b.readUInt16BE(p) + 1;
    p += 2;
  } else blockSize = 256 << (bsCode - 8);
  if (srCode === 12) p += 1;
  else if (srCode === 13 || srCode === 14) p += 2;
  if (p >= b.length || crc8(b, at, p) !== b[p]) return null;
  return { variable, number: value, blockSize };
}

function crc8(b: Buffer, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc ^= b[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

const CRC16_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n << 8;
    for (let k = 0; k < 8; k++) c = c & 0x8000 ? ((c << 1) ^ 0x8005) & 0xffff : (c << 1) & 0xffff;
    t[n] = c;
  }
  return t;
})();

function crc16(b: Buffer, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >> 8) ^ b[i]!) & 0xff]!;
  return crc;
}
