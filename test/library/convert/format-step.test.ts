/**
 * Conversions by the reference tools on real files: the result is read back by music-metadata
 * (container, rate, depth, length, tags, cover) and the audio checked against the source by sox.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AudioFacts } from '../../../src/domain/job.js';
import type { TrackInfo } from '../../../src/domain/track.js';
import { SoxFormatStep } from '../../../src/library/convert/format-step.js';
import { FlacTagger, type TagOutcome } from '../../../src/library/tags/flac-tagger.js';
import { imageInfo } from '../../../src/library/tags/image-info.js';
import { FLAC_FIXTURES } from '../../fixtures/paths.js';
import { cover640, metaflacTags } from '../tags/support.js';

const track: TrackInfo = {
  position: 1,
  spotifyId: 'sp-kr',
  artists: ['Кино', 'Виктор Цой'],
  title: 'Группа крови',
  album: 'Группа крови',
  durationMs: 2000,
  isrc: 'RUA000000001',
  releaseYear: 1988,
  albumArtists: ['Кино'],
  trackNumber: 1,
  discNumber: 1,
  releaseDate: '1988-01-05',
  coverUrl: 'http://covers.test/krovi',
};

const covers = { cover: async () => ({ data: cover640(), info: imageInfo(cover640())! }) };

function parseStat(text: string) {
  const num = (label: string) => Number(new RegExp(`${label}:\\s+([-\\d.e]+)`).exec(text)?.[1] ?? NaN);
  return { rms: num('RMS\\s+amplitude'), length: num('Length \\(seconds\\)') };
}
/** `sox FILE -n stat` (it reports on stderr). */
function stat(file: string) {
  return parseStat(spawnSync('sox', [file, '-n', 'stat'], { encoding: 'utf8' }).stderr);
}

describe('SoxFormatStep', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'crate-convert-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function tagged(name: string): Promise<{ file: string; tags: TagOutcome; audio: AudioFacts }> {
    const file = path.join(dir, 'track-1.flac');
    copyFileSync(path.join(FLAC_FIXTURES, name), file);
    const tags = await new FlacTagger({ mode: 'overwrite', covers }).tag(file, track);
    const meta = await parseFile(file);
    const audio: AudioFacts = {
      bitDepth: meta.format.bitsPerSample ?? null,
      sampleRate: meta.format.sampleRate ?? null,
      channels: meta.format.numberOfChannels ?? null,
      durationMs: Math.round((meta.format.duration ?? 0) * 1000),
      sizeBytes: null,
      quality: 'max',
    };
    return { file, tags, audio };
  }

  it('24/192 FLAC → 16/48 AIFF for a CDJ-2000NXS: rate, depth, tags and cover read back from the ID3 chunk', async () => {
    const { file, tags, audio } = await tagged('kino-gruppa-krovi-24-192.flac');
    expect(audio).toMatchObject({ sampleRate: 192000, bitDepth: 24 });
    const step = new SoxFormatStep({ target: { format: 'aiff', maxSampleRate: 48000, maxBitDepth: 16 } });
    const out = await step.convert(file, audio, tags, track);
    expect(out.extension).toBe('.aiff');
    expect(out.note).toBe('converted 24-bit/192 kHz FLAC → 16-bit/48 kHz AIFF');
    expect(out.audio).toMatchObject({ sampleRate: 48000, bitDepth: 16, channels: 2 });
    expect(path.dirname(out.path)).toBe(dir);
    expect(path.basename(out.path).length).toBeLessThanOrEqual('track-1.flac'.length + 2);

    const meta = await parseFile(out.path);
    expect(meta.format.container).toBe('AIFF');
    expect(meta.format.sampleRate).toBe(48000);
    expect(meta.format.bitsPerSample).toBe(16);
    expect(meta.format.duration).toBeCloseTo(audio.durationMs! / 1000, 2);
    expect(meta.common.title).toBe('Группа крови');
    expect(meta.common.artist).toBe('Кино, Виктор Цой');
    expect(meta.common.album).toBe('Группа крови');
    expect(meta.common.albumartist).toBe('Кино');
    expect(meta.common.track.no).toBe(1);
    expect(meta.common.disk.no).toBe(1);
    expect(meta.common.year).toBe(1988);
    expect(meta.common.isrc).toEqual(['RUA000000001']);
    expect(meta.common.picture?.[0]?.format).toBe('image/jpeg');
    expect(Buffer.from(meta.common.picture![0]!.data).equals(cover640())).toBe(true);
    // The same music: sox reads the AIFF, its length and loudness match the source.
    const [a, b] = [stat(file), stat(out.path)];
    expect(b.length).toBeCloseTo(a.length, 2);
    expect(b.rms).toBeCloseTo(a.rms, 3);
  });

  it('24/96 FLAC → 24/48 WAV: LIST INFO and id3 chunks read back', async () => {
    const { file, tags, audio } = await tagged('roisin-murphy-overpowered-24-96.flac');
    const step = new SoxFormatStep({ target: { format: 'wav', maxSampleRate: 48000, maxBitDepth: null } });
    const out = await step.convert(file, audio, tags, track);
    expect(out.extension).toBe('.wav');
    const meta = await parseFile(out.path);
    expect(meta.format.container).toBe('WAVE');
    expect(meta.format.sampleRate).toBe(48000);
    expect(meta.format.bitsPerSample).toBe(24);
    expect(meta.common.title).toBe('Группа крови');
    expect(meta.common.albumartist).toBe('Кино');
    expect(meta.common.picture?.[0]?.format).toBe('image/jpeg');
    // RIFF INFO declares no text encoding; Crate writes UTF-8 (music-metadata hands back the raw bytes as Latin-1).
    const info = (id: string) => Buffer.from(String(meta.native['exif']?.find((t) => t.id === id)?.value), 'latin1').toString('utf8');
    expect(info('INAM')).toBe('Группа крови');
    expect(info('IART')).toBe('Кино, Виктор Цой');
    expect(info('ICRD')).toBe('1988-01-05');
  });

  it('FLAC over MAX_SAMPLE_RATE stays FLAC, resampled, with its tags and cover (metaflac reads them)', async () => {
    const { file, tags, audio } = await tagged('roisin-murphy-overpowered-24-96.flac');
    const out = await new SoxFormatStep({ target: { format: 'flac', maxSampleRate: 48000, maxBitDepth: null } }).convert(file, audio, tags, track);
    expect(out.extension).toBe('.flac');
    expect(out.audio).toMatchObject({ sampleRate: 48000, bitDepth: 24 });
    execFileSync('flac', ['-t', '-s', out.path]);
    expect(metaflacTags(out.path)).toMatchObject({ TITLE: ['Группа крови'], ARTIST: ['Кино', 'Виктор Цой'], ISRC: ['RUA000000001'] });
    expect(execFileSync('metaflac', ['--list', '--block-type=PICTURE', out.path], { encoding: 'utf8' })).toMatch(/Cover \(front\)/);
  });

  it('a file the player takes is left alone', async () => {
    const { file, tags, audio } = await tagged('kerri-chandler-rain-16-44.flac');
    const out = await new SoxFormatStep({ target: { format: 'flac', maxSampleRate: 96000, maxBitDepth: 24 } }).convert(file, audio, tags, track);
    expect(out).toEqual({ path: file, extension: '.flac', audio: {}, note: null });
  });

  it('a missing tool is a plain error and leaves no temporary file', async () => {
    const { file, tags, audio } = await tagged('kino-gruppa-krovi-24-192.flac');
    const step = new SoxFormatStep({ target: { format: 'aiff', maxSampleRate: 48000, maxBitDepth: 16 }, sox: 'sox-not-installed-here' });
    await expect(step.convert(file, audio, tags, track)).rejects.toThrow('sox-not-installed-here is not installed');
    expect(readdirSync(dir)).toEqual(['track-1.flac']);
    expect(existsSync(file)).toBe(true);
  });

  it('a damaged FLAC fails in the reference decoder instead of becoming a bad AIFF', async () => {
    const { file, tags, audio } = await tagged('kino-gruppa-krovi-24-192.flac');
    const truncated = path.join(dir, 'track-2.flac');
    copyFileSync(path.join(FLAC_FIXTURES, 'truncated.flac'), truncated);
    const step = new SoxFormatStep({ target: { format: 'aiff', maxSampleRate: 48000, maxBitDepth: 16 } });
    await expect(step.convert(truncated, audio, tags, track)).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['track-1.flac', 'track-2.flac']);
    void file;
  });
});
