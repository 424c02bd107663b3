import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBuffer, parseFile } from 'music-metadata';
import { afterAll, describe, expect, it } from 'vitest';
import { flacImage, makeFlac } from '../fakes/flac-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'crate-flac-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Table-driven CRCs written independently of the writer's bitwise ones. */
function crcTable(poly: number, width: 8 | 16): number[] {
  const top = 1 << (width - 1);
  const mask = (1 << width) - 1;
  return Array.from({ length: 256 }, (_, i) => {
    let c = i << (width - 8);
    for (let k = 0; k < 8; k++) c = c & top ? ((c << 1) ^ poly) & mask : (c << 1) & mask;
    return c;
  });
}
const T8 = crcTable(0x07, 8);
const T16 = crcTable(0x8005, 16);
const crc8 = (b: Buffer) => b.reduce((c, x) => T8[c ^ x]!, 0);
const crc16 = (b: Buffer) => b.reduce((c, x) => ((c << 8) & 0xffff) ^ T16[(c >> 8) ^ x]!, 0);

/** Walks metadata and frames the way a decoder does; returns what it saw. */
function walk(file: Buffer) {
  expect(file.subarray(0, 4).toString('latin1')).toBe('fLaC');
  let pos = 4;
  const blockTypes: number[] = [];
  let totalSamples = 0;
  let channels = 0;
  let bits = 0;
  for (;;) {
    const header = file[pos]!;
    const length = file.readUIntBE(pos + 1, 3);
    blockTypes.push(header & 0x7f);
    if ((header & 0x7f) === 0) {
      const packed = file.readBigUInt64BE(pos + 4 + 10);
      totalSamples = Number(packed & 0xfffffffffn);
      channels = Number((packed >> 41n) & 7n) + 1;
      bits = Number((packed >> 36n) & 31n) + 1;
    }
    pos += 4 + length;
    if (header & 0x80) break;
  }
  let frames = 0;
  let samples = 0;
  while (pos < file.length) {
    expect(file[pos]).toBe(0xff);
    expect(file[pos + 1]).toBe(0xf8);
    const bsCode = file[pos + 2]! >> 4;
    // UTF-8 frame number
    let p = pos + 4;
    const lead = file[p]!;
    let n: number;
    let extra = 0;
    if (lead < 0x80) n = lead;
    else {
      extra = lead >= 0xe0 ? 2 : 1;
      n = lead & (extra === 2 ? 0x0f : 0x1f);
    }
    p++;
    for (let i = 0; i < extra; i++) n = n * 64 + (file[p++]! & 0x3f);
    expect(n).toBe(frames);
    let blockSize = 4096;
    if (bsCode === 0b0111) {
      blockSize = file.readUInt16BE(p) + 1;
      p += 2;
    } else expect(bsCode).toBe(0b1100);
    expect(file[p]).toBe(crc8(file.subarray(pos, p)));
    p++;
    p += channels * (1 + bits / 8);
    expect(file.readUInt16BE(p)).toBe(crc16(file.subarray(pos, p)));
    pos = p + 2;
    frames++;
    samples += blockSize;
  }
  return { blockTypes, totalSamples, samples, frames };
}

describe('makeFlac', () => {
  it('writes a file music-metadata reads: duration, format and tags', async () => {
    const flac = makeFlac({
      artist: 'Benny Benassi',
      title: 'Satisfaction',
      album: 'Hypnotica',
      isrc: 'ITA000300005',
      durationMs: 285_000,
    });
    const path = join(dir, 'a.flac');
    writeFileSync(path, flac);
    const meta = await parseFile(path);
    expect(meta.format.container).toBe('FLAC');
    expect(meta.format.lossless).toBe(true);
    expect(meta.format.duration).toBeCloseTo(285, 3);
    expect(meta.format.sampleRate).toBe(44100);
    expect(meta.format.bitsPerSample).toBe(16);
    expect(meta.format.numberOfChannels).toBe(2);
    expect(meta.common.artist).toBe('Benny Benassi');
    expect(meta.common.title).toBe('Satisfaction');
    expect(meta.common.album).toBe('Hypnotica');
    expect(meta.common.isrc).toEqual(['ITA000300005']);
  });

  it('frames are valid: sync, frame numbers, CRC-8 headers, CRC-16 footers, sample count', () => {
    const flac = makeFlac({ durationMs: 61_234, sampleRate: 48000, bitDepth: 24, channels: 2, title: 'x' });
    const seen = walk(flac);
    expect(seen.blockTypes).toEqual([0, 4]);
    expect(seen.totalSamples).toBe(Math.round(61.234 * 48000));
    expect(seen.samples).toBe(seen.totalSamples);
    expect(seen.frames).toBeGreaterThan(128); // frame numbers past one UTF-8 byte
  });

  it('hi-res and unicode tags', async () => {
    const meta = await parseBuffer(
      makeFlac({ artist: 'Кино', title: 'Группа крови', durationMs: 4_000, sampleRate: 192000, bitDepth: 24 }),
      { mimeType: 'audio/flac' },
    );
    expect(meta.format.sampleRate).toBe(192000);
    expect(meta.format.bitsPerSample).toBe(24);
    expect(meta.format.duration).toBeCloseTo(4, 3);
    expect(meta.common.artist).toBe('Кино');
    expect(meta.common.title).toBe('Группа крови');
  });

  it.each([
    ['zeros', 20_000],
    ['noise', 20_000],
    ['zeros', 0], // filled in below with "just too small for a block" sizes
  ] as const)('pads to an exact size with %s (%i)', async (padWith, size) => {
    const base = makeFlac({ durationMs: 1_000, title: 't' }).length;
    const targets = size > 0 ? [size] : [base + 1, base + 3, base + 4, base + 9];
    for (const target of targets) {
      const flac = makeFlac({ durationMs: 1_000, title: 't', padToBytes: target, padWith });
      expect(flac.length).toBe(target);
      const meta = await parseBuffer(flac, { mimeType: 'audio/flac' });
      expect(meta.format.duration).toBeCloseTo(1, 3);
      expect(meta.common.title).toBe('t');
      expect(walk(flac).samples).toBe(44100);
    }
  });

  it('large padded files: several filler blocks, readable lazily slice by slice', async () => {
    const spec = { durationMs: 240_000, title: 'big', padToBytes: 50 * 1024 * 1024 + 7, padWith: 'noise' as const, seed: 7 };
    const whole = makeFlac(spec);
    expect(whole.length).toBe(spec.padToBytes);
    const seen = walk(whole);
    expect(seen.blockTypes.filter((t) => t === 2).length).toBe(4); // 50 MB / 16 MB blocks
    const meta = await parseBuffer(whole, { mimeType: 'audio/flac' });
    expect(meta.format.duration).toBeCloseTo(240, 3);

    const image = flacImage(spec);
    expect(image.size).toBe(whole.length);
    for (const [offset, length] of [
      [0, 100],
      [4093, 10_000],
      [16 * 1024 * 1024 - 3, 1 << 20],
      [image.size - 50, 1 << 20],
    ] as const) {
      expect(image.read(offset, length).equals(whole.subarray(offset, offset + length))).toBe(true);
    }
    // Noise differs between seeds and between positions: misplaced parts would show.
    const other = flacImage({ ...spec, seed: 8 });
    expect(other.read(1 << 20, 64).equals(image.read(1 << 20, 64))).toBe(false);
    expect(image.read(1 << 20, 64).equals(image.read(2 << 20, 64))).toBe(false);
  });
});
