import { describe, expect, it } from 'vitest';
import type { TrackInfo } from '../../src/domain/track.js';
import { closestFiles } from '../../src/library/closest-files.js';
import type { ScannedFile } from '../../src/library/scan.js';

const track = (position: number, artists: string[], title: string): TrackInfo => ({
  position,
  spotifyId: null,
  artists,
  title,
  album: null,
  durationMs: 300_000,
  isrc: null,
  releaseYear: null,
});

const file = (relPath: string, tags: { artist: string; title: string } | null = null): ScannedFile => ({
  path: `/music/${relPath}`,
  relPath,
  sizeBytes: 1000,
  tags: tags
    ? { ...tags, artists: [tags.artist], album: null, isrc: null, year: null, durationMs: 300_000, bitDepth: 16, sampleRate: 44_100, channels: 2 }
    : null,
  error: null,
});

describe('closestFiles (a hint for missing tracks, never a match)', () => {
  it.each([
    ['a differently spelled file name', track(3, ['Róisín Murphy'], 'Overpowered'), file('Roisin Murphy - Overpowerd.flac'), 'Roisin Murphy - Overpowerd.flac'],
    ['another version of the same title, by its tags', track(7, ['Kerri Chandler'], 'Rain'), file('01.flac', { artist: 'Kerri Chandler', title: 'Rain (Dub)' }), '01.flac'],
  ])('points at %s', (_name, missingTrack, leftover, expected) => {
    expect(closestFiles([missingTrack], [leftover])).toEqual([{ position: missingTrack.position, file: expected, score: expect.any(Number) }]);
  });

  it('stays quiet when nothing in the folder reads like the track', () => {
    expect(closestFiles([track(1, ['Daft Punk'], 'Around the World')], [file('Moodymann - Shades of Jae.flac')])).toEqual([]);
  });

  it('gives nothing without missing tracks or leftover files', () => {
    expect(closestFiles([], [file('x.flac')])).toEqual([]);
    expect(closestFiles([track(1, ['A'], 'B')], [])).toEqual([]);
  });
});
