import { describe, expect, it } from 'vitest';
import type { TrackInfo } from '../../src/domain/track.js';
import { closestFiles } from '../../src/library/closest-files.js';
import type { ScannedFile } from '../../src/library/scan.js';

const track = (position: number, artists: string[], title: string, durationMs = 300_000): TrackInfo => ({
  position,
  spotifyId: null,
  artists,
  title,
  album: null,
  durationMs,
  isrc: null,
  releaseYear: null,
});

const file = (relPath: string, tags: { artist: string; title: string; durationMs?: number } | null = null): ScannedFile => ({
  path: `/music/${relPath}`,
  relPath,
  sizeBytes: 1000,
  tags: tags
    ? { durationMs: 300_000, ...tags, artists: [tags.artist], album: null, isrc: null, year: null, bitDepth: 16, sampleRate: 44_100, channels: 2 }
    : null,
  error: null,
});

describe('closestFiles (a hint for missing tracks, never a match)', () => {
  it.each([
    ['a differently spelled file name', track(3, ['Róisín Murphy'], 'Overpowered'), file('Roisin Murphy - Overpowerd.flac'), 'Roisin Murphy - Overpowerd.flac'],
    ['another version of the same title, by its tags', track(7, ['Kerri Chandler'], 'Rain'), file('01.flac', { artist: 'Kerri Chandler', title: 'Rain (Dub)' }), '01.flac'],
  ])('points at %s', (_name, missingTrack, leftover, expected) => {
    expect(closestFiles([missingTrack], [leftover])).toEqual([{ position: missingTrack.position, file: expected, score: expect.any(Number), reason: expect.any(String) }]);
  });

  it.each([
    ['another version', track(7, ['Kerri Chandler'], 'Rain'), file('01.flac', { artist: 'Kerri Chandler', title: 'Rain (Dub)' }), 'version differs'],
    ['the same name, 42 s longer', track(2, ['Kerri Chandler'], 'Rain'), file('02.flac', { artist: 'Kerri Chandler', title: 'Rain', durationMs: 342_000 }), 'same name, but 42 s longer'],
    ['the same name, 20 s shorter', track(2, ['Kerri Chandler'], 'Rain'), file('02.flac', { artist: 'Kerri Chandler', title: 'Rain', durationMs: 280_000 }), 'same name, but 20 s shorter'],
  ])('says why the matcher did not take it: %s', (_name, missingTrack, leftover, reason) => {
    expect(closestFiles([missingTrack], [leftover])).toEqual([{ position: missingTrack.position, file: leftover.relPath, score: expect.any(Number), reason }]);
  });

  it('suggests each leftover file for one track at most, the one it is closest to', () => {
    const rain = track(1, ['Kerri Chandler'], 'Rain');
    const rainDub = track(2, ['Kerri Chandler'], 'Rain (Dub)');
    const dubMix = file('Kerri Chandler - Rain (Dub Mix).flac');
    // Both tracks read like it; it is the dub's (same title and version), not the plain one's.
    expect(closestFiles([rain, rainDub], [dubMix]).map((h) => [h.position, h.file])).toEqual([[2, dubMix.relPath]]);
    // With a second leftover, the other track gets that one: never the same file twice.
    const edit = file('Kerri Chandler - Rain (Radio Edit).flac');
    expect(closestFiles([rain, rainDub], [dubMix, edit]).map((h) => [h.position, h.file])).toEqual([
      [1, edit.relPath],
      [2, dubMix.relPath],
    ]);
  });

  it('stays quiet when nothing in the folder reads like the track', () => {
    expect(closestFiles([track(1, ['Daft Punk'], 'Around the World')], [file('Moodymann - Shades of Jae.flac')])).toEqual([]);
  });

  it('gives nothing without missing tracks or leftover files', () => {
    expect(closestFiles([], [file('x.flac')])).toEqual([]);
    expect(closestFiles([track(1, ['A'], 'B')], [])).toEqual([]);
  });
});
