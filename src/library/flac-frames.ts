/**
 * Is a FLAC file complete? Tags and STREAMINFO sit at the start, so a download cut short still
 * "parses" (music-metadata reads the first 3 KB of a 2 s file happily). The honest check is at
 * the end: the last audio frame must be whole (its CRC-16 matches up to end of file) and must end
 * at the sample count STREAMINFO promises. No decoding needed; a few KB are read.
 *
 * Bounded: the metadata walk is readFlacStructure's (limits on every block), the tail read is at
 * most the largest frame this stream can have (from STREAMINFO, capped by the limits), and only a
 * bounded number of candidate frame headers get their CRC-16 checked — a tail of crafted headers
 * or garbage costs milliseconds, not the quadratic scan it once did.
 */
import { open } from 'node:fs/promises';
import { DEFAULT_LIMITS, type VerifyLimits } from './verify/limits.js';
import { readFlacStructure, type FlacStructure, type StreamInfo } from './verify/flac-structure.js';

export type FlacIntegrity =
  | { ok: true; totalSamples: number; sampleRate: number; structure: FlacStructure }
  | { ok: false; kind: 'not_flac' | 'truncated' | 'over_limit'; reason: string };

export async function checkFlacIntegrity(file: string, limits: VerifyLimits = DEFAULT_LIMITS): Promise<FlacIntegrity> {
  const fh = await open(file, 'r');
  try {
    const parsed = await readFlacStructure(fh, limits);
    if (!parsed.ok) return parsed;
    const { structure } = parsed;
    const { size, audioStart, streamInfo: info } = structure;
    const ok = { ok: true as const, totalSamples: info.totalSamples, sampleRate: info.sampleRate, structure };
    const read = async (pos: number, len: number): Promise<Buffer> => {
      const buf = Buffer.alloc(Math.max(0, Math.min(len, size - pos)));
      if (buf.length > 0) await fh.read(buf, 0, buf.length, pos);
      return buf;
    };
    if (audioStart >= size) return info.totalSamples === 0 ? ok : truncated('the file has no audio frames');

    let end = size;
    if (size - audioStart >= 128 && (await read(size - 128, 3)).toString('latin1') === 'TAG') end -= 128; // trailing ID3v1
    const window = Math.min(limits.maxTailScanBytes, largestFrame(info) + 64);
    const start = Math.max(audioStart, end - window);
    const tail = await read(start, end - start);

    const lastFrame = findLastFrame(tail, info, limits.maxTailCandidates);
    if (lastFrame === 'too_many') return truncated(`the end of the file is not audio (more than ${limits.maxTailCandidates} false frame headers)`);
    if (!lastFrame) return truncated(`the last audio frame is cut off (${describe(info)})`);
    if (info.totalSamples > 0 && lastFrame.endSample < info.totalSamples) {
      const at = (lastFrame.endSample / info.sampleRate).toFixed(2);
      const of = (info.totalSamples / info.sampleRate).toFixed(2);
      return truncated(`the audio stops at ${at} s of ${of} s`);
    }
    return ok;
  } finally {
    await fh.close();
  }
}

/**
 * The largest frame this stream can hold: what the encoder recorded, or else a verbatim frame of
 * the largest block (one extra bit per sample for a side channel), plus header and footer.
 */
function largestFrame(info: StreamInfo): number {
  if (info.maxFrameSize > 0) return info.maxFrameSize;
  return Math.ceil((info.maxBlockSize * info.channels * (info.bitsPerSample + 1)) / 8) + info.channels * 2 + 16 + 2;
}

function truncated(reason: string): FlacIntegrity {
  return { ok: false, kind: 'truncated', reason: `truncated: ${reason}` };
}

function describe(info: StreamInfo): string {
  return info.totalSamples > 0 && info.sampleRate > 0 ? `the stream should last ${(info.totalSamples / info.sampleRate).toFixed(2)} s` : 'length unknown';
}

/**
 * Scans back from the end for the frame header whose CRC-16 covers exactly the rest of the file.
 * At most `maxCandidates` headers get the (linear) CRC-16 check, so the scan is O(window × cap).
 */
function findLastFrame(tail: Buffer, info: StreamInfo, maxCandidates: number): { endSample: number } | 'too_many' | null {
  const lowest = Math.max(0, tail.length - largestFrame(info) - 16);
  const expected = tail.length >= 2 ? tail.readUInt16BE(tail.length - 2) : -1;
  let candidates = 0;
  for (let i = tail.length - 4; i >= lowest; i--) {
    if (tail[i] !== 0xff || (tail[i + 1]! & 0xfe) !== 0xf8) continue;
    const h = parseFrameHeader(tail, i);
    if (!h) continue;
    if (++candidates > maxCandidates) return 'too_many';
    if (crc16(tail, i, tail.length - 2) !== expected) continue;
    const first = h.variable ? h.number : h.number * info.minBlockSize;
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
