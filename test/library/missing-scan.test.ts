import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFlacIntegrity } from '../../src/library/flac-frames.js';
import { FlacReadError, readFlacTags } from '../../src/library/scan.js';
import { makeFlac } from '../fakes/flac-writer.js';
import { tmpDir } from '../spotify/support.js';
import { FLAC_FIXTURES } from '../fixtures/paths.js';

const FIX = FLAC_FIXTURES;
const tmp = tmpDir('crate-scan-');
afterAll(() => tmp.cleanup());

describe('readFlacTags (real files from the reference encoder)', () => {
  it.each([
    [
      'kerri-chandler-rain-16-44.flac',
      { artists: ['Kerri Chandler'], artist: 'Kerri Chandler', title: 'Rain (Original Mix)', album: 'Rain', isrc: 'USABC9800001', year: 1998, durationMs: 2000, bitDepth: 16, sampleRate: 44100, channels: 2 },
    ],
    [
      'roisin-murphy-overpowered-24-96.flac',
      { artists: ['Róisín Murphy'], artist: 'Róisín Murphy', title: 'Overpowered', album: 'Overpowered', isrc: 'GBUM70702345', year: null, durationMs: 2000, bitDepth: 24, sampleRate: 96000, channels: 2 },
    ],
    [
      'kino-gruppa-krovi-24-192.flac',
      { artists: ['Кино'], artist: 'Кино', title: 'Группа крови', album: null, isrc: null, year: null, durationMs: 1000, bitDepth: 24, sampleRate: 192000, channels: 2 },
    ],
    [
      'notags.flac',
      { artists: [], artist: null, title: null, album: null, isrc: null, year: null, durationMs: 1000, bitDepth: 16, sampleRate: 44100, channels: 2 },
    ],
  ])('%s', async (name, expected) => {
    expect(await readFlacTags(path.join(FIX, name))).toEqual(expected);
  });

  it('a cut-off download is refused although its tags still parse', async () => {
    const err = await readFlacTags(path.join(FIX, 'truncated.flac')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlacReadError);
    expect((err as FlacReadError).kind).toBe('truncated');
    expect((err as FlacReadError).message).toBe('truncated.flac: truncated: the last audio frame is cut off (the stream should last 2.00 s)');
  });

  it('something that is not audio is refused as not FLAC', async () => {
    const err = (await readFlacTags(path.join(FIX, 'not-flac.flac')).catch((e: unknown) => e)) as FlacReadError;
    expect(err.kind).toBe('not_flac');
    expect(err.message).toMatch(/^not-flac\.flac: not a FLAC file/);
  });

  it('a file that is not there is "unreadable", not "not FLAC"', async () => {
    const err = (await readFlacTags(path.join(tmp.dir, 'gone.flac')).catch((e: unknown) => e)) as FlacReadError;
    expect(err.kind).toBe('unreadable');
  });
});

describe('checkFlacIntegrity', () => {
  const flac = makeFlac({ artist: 'A', title: 'T', durationMs: 5000 });
  const write = (name: string, bytes: Buffer) => {
    const p = path.join(tmp.dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('a complete file is ok, with its sample count', async () => {
    expect(await checkFlacIntegrity(write('full.flac', flac))).toMatchObject({ ok: true, totalSamples: 220500, sampleRate: 44100 });
  });

  it('a file cut between frames stops early: says where', async () => {
    const r = await checkFlacIntegrity(write('cut.flac', flac.subarray(0, flac.length - 30)));
    expect(r).toEqual({ ok: false, kind: 'truncated', reason: expect.stringMatching(/^truncated: the audio stops at 4\.\d\d s of 5\.00 s$/) });
  });

  it('a file cut inside its last frame is caught by the CRC', async () => {
    const r = await checkFlacIntegrity(write('cut1.flac', flac.subarray(0, flac.length - 1)));
    expect(r.ok).toBe(false);
  });

  it('a file that ends inside its metadata has no audio', async () => {
    const r = await checkFlacIntegrity(write('meta.flac', flac.subarray(0, 20)));
    expect(r).toMatchObject({ ok: false, kind: 'truncated', reason: expect.stringMatching(/inside its metadata/) });
  });

  it('a trailing ID3v1 tag or a leading ID3v2 tag does not count as damage', async () => {
    const id3v1 = Buffer.concat([Buffer.from('TAG'), Buffer.alloc(125)]);
    expect((await checkFlacIntegrity(write('v1.flac', Buffer.concat([flac, id3v1])))).ok).toBe(true);
    const id3v2 = Buffer.concat([Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10)]);
    expect((await checkFlacIntegrity(write('v2.flac', Buffer.concat([id3v2, flac])))).ok).toBe(true);
  });

  it('the reference fixtures: complete ones pass, the cut one does not', async () => {
    for (const name of ['kerri-chandler-rain-16-44.flac', 'roisin-murphy-overpowered-24-96.flac', 'kino-gruppa-krovi-24-192.flac', 'notags.flac']) {
      expect((await checkFlacIntegrity(path.join(FIX, name))).ok).toBe(true);
    }
    expect((await checkFlacIntegrity(path.join(FIX, 'truncated.flac'))).ok).toBe(false);
  });
});
