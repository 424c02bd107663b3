import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrackInfo } from '../../src/domain/track.js';
import { renderTemplate, templateValues, trackPath, unknownTemplateFields, type PathSpec } from '../../src/library/path-template.js';

const track: TrackInfo = {
  position: 7,
  spotifyId: 'id',
  artists: ['Róisín Murphy', 'DJ Koze'],
  title: 'Overpowered (Remix)',
  album: 'Overpowered',
  durationMs: 300_000,
  isrc: 'GBAAA0700001',
  releaseYear: 2007,
};
const spec: PathSpec = {
  outputDir: '/music',
  playlistName: 'Friday / Warm-up',
  playlistSize: 120,
  template: '{artists} - {title}',
  organizeBy: 'playlist',
  yearFolders: false,
};

describe('path template', () => {
  it.each([
    ['default', {}, '/music/Friday - Warm-up/Róisín Murphy, DJ Koze - Overpowered (Remix).flac'],
    ['organize by artist', { organizeBy: 'artist' }, '/music/Róisín Murphy/Róisín Murphy, DJ Koze - Overpowered (Remix).flac'],
    ['organize by album with year folders', { organizeBy: 'album', yearFolders: true }, '/music/Overpowered/2007/Róisín Murphy, DJ Koze - Overpowered (Remix).flac'],
    ['none', { organizeBy: 'none' }, '/music/Róisín Murphy, DJ Koze - Overpowered (Remix).flac'],
    ['position padded to the playlist size', { template: '{position} {artist} - {title}' }, '/music/Friday - Warm-up/007 Róisín Murphy - Overpowered (Remix).flac'],
    ['subfolders from the template', { organizeBy: 'none', template: '{artist}/{album}/{title} [{isrc}]' }, '/music/Róisín Murphy/Overpowered/Overpowered (Remix) [GBAAA0700001].flac'],
    ['template with .. cannot escape', { organizeBy: 'none', template: '../../{title}' }, '/music/Overpowered (Remix).flac'],
    ['playlist field', { organizeBy: 'none', template: '{playlist} - {year} - {title}' }, '/music/Friday - Warm-up - 2007 - Overpowered (Remix).flac'],
  ] as [string, Partial<PathSpec>, string][])('%s', (_name, extra, expected) => {
    expect(trackPath({ ...spec, ...extra }, track)).toBe(path.normalize(expected));
  });

  it('fills missing values and tidies what empty fields leave', () => {
    const bare: TrackInfo = { ...track, album: null, isrc: null, releaseYear: null, artists: [] };
    const values = templateValues(bare, 'P', 5);
    expect(values).toMatchObject({ album: 'Unknown Album', year: 'Unknown Year', artist: 'Unknown Artist', isrc: '', position: '07' });
    expect(renderTemplate('{title} [{isrc}]', values)).toEqual(['Overpowered (Remix)']);
    expect(renderTemplate('{isrc} - {title}', values)).toEqual(['Overpowered (Remix)']);
    expect(renderTemplate('', values)).toEqual(['Unknown Artist - Overpowered (Remix)']);
  });

  it('a slash inside a value never makes a folder', () => {
    const p = trackPath({ ...spec, organizeBy: 'none' }, { ...track, artists: ['AC/DC'], title: 'T.N.T.' });
    expect(p).toBe(path.normalize('/music/AC-DC - T.N.T.flac'));
  });

  it('lists unknown template fields', () => {
    expect(unknownTemplateFields('{artist} - {genre} {title} {bpm}')).toEqual(['{genre}', '{bpm}']);
    expect(unknownTemplateFields('{artists} - {title}')).toEqual([]);
  });
});
