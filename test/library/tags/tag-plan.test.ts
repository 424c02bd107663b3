import { describe, expect, it } from 'vitest';
import type { TrackInfo } from '../../../src/domain/track.js';
import { agrees, planComments, wantedTags, wantsCover, type Comment } from '../../../src/library/tags/tag-plan.js';

const track: TrackInfo = {
  position: 4,
  spotifyId: 'sp1',
  artists: ['Daft Punk', 'Romanthony'],
  title: 'One More Time',
  album: 'Discovery',
  durationMs: 320_000,
  isrc: 'GBDUW0000053',
  releaseYear: 2001,
  albumArtists: ['Daft Punk'],
  trackNumber: 1,
  discNumber: 1,
  releaseDate: '2001-03-12',
  coverUrl: 'https://i.scdn.co/image/x',
};

const c = (key: string, value: string): Comment => ({ key, value });

describe('wantedTags', () => {
  it('turns the track into Vorbis comment values, one ARTIST per artist', () => {
    expect(wantedTags(track)).toEqual({
      TITLE: ['One More Time'],
      ARTIST: ['Daft Punk', 'Romanthony'],
      ALBUM: ['Discovery'],
      ALBUMARTIST: ['Daft Punk'],
      DATE: ['2001-03-12'],
      TRACKNUMBER: ['1'],
      DISCNUMBER: ['1'],
      ISRC: ['GBDUW0000053'],
    });
  });
  it('leaves out what the track does not know, and falls back to the year', () => {
    const embed: TrackInfo = { position: 1, spotifyId: null, artists: ['A'], title: 'T\n', album: null, durationMs: null, isrc: null, releaseYear: 1999 };
    expect(wantedTags(embed)).toEqual({ TITLE: ['T'], ARTIST: ['A'], DATE: ['1999'] });
  });
});

describe('agrees', () => {
  it.each([
    ['ARTIST', ['Daft Punk, Romanthony'], ['Daft Punk', 'Romanthony'], true],
    ['ARTIST', ['Daft Punk & Romanthony'], ['Daft Punk', 'Romanthony'], true],
    ['ARTIST', ['Daft Punk feat. Romanthony'], ['Daft Punk', 'Romanthony'], true],
    ['ARTIST', ['Daft Punk'], ['Daft Punk', 'Romanthony'], false],
    ['DATE', ['2001'], ['2001-03-12'], true],
    ['DATE', ['2001-03-12'], ['2001'], true],
    ['DATE', ['2002'], ['2001-03-12'], false],
    ['DATE', ['20'], ['2001-03-12'], false],
    ['TRACKNUMBER', ['1/14'], ['1'], true],
    ['TRACKNUMBER', ['2'], ['1'], false],
    ['ISRC', ['gb-duw-00-00053'], ['GBDUW0000053'], true],
    ['TITLE', ['one  more time'], ['One More Time'], true],
    ['TITLE', ['One More Time (Radio Edit)'], ['One More Time'], false],
  ] as const)('%s %j vs %j → %s', (field, have, want, expected) => {
    expect(agrees(field, [...have], [...want])).toBe(expected);
  });
});

describe('planComments', () => {
  const bot = [c('ARTIST', 'Daft Punk, Romanthony'), c('title', 'One More Time'), c('DATE', '2001'), c('COMMENT', 'from the bot')];

  it('fill adds only the missing fields and keeps every bot tag as written', () => {
    const plan = planComments(bot, wantedTags(track), 'fill');
    expect(plan.changed).toEqual(['ALBUM', 'ALBUMARTIST', 'TRACKNUMBER', 'DISCNUMBER', 'ISRC']);
    expect(plan.comments.slice(0, 4)).toEqual(bot);
    expect(plan.comments).toContainEqual(c('ISRC', 'GBDUW0000053'));
  });
  it('overwrite replaces what differs but keeps the bot tags that already say the same', () => {
    const plan = planComments([...bot, c('ALBUM', 'Discovery (Remastered)'), c('TRACKNUMBER', '')], wantedTags(track), 'overwrite');
    expect(plan.changed).toEqual(['ALBUM', 'ALBUMARTIST', 'TRACKNUMBER', 'DISCNUMBER', 'ISRC']);
    expect(plan.comments).toContainEqual(c('ARTIST', 'Daft Punk, Romanthony'));
    expect(plan.comments).toContainEqual(c('DATE', '2001'));
    expect(plan.comments.filter((x) => x.key === 'ALBUM')).toEqual([c('ALBUM', 'Discovery')]);
    expect(plan.comments.filter((x) => x.key === 'TRACKNUMBER')).toEqual([c('TRACKNUMBER', '1')]);
  });
  it('overwrite puts in every artist when the bot had only one', () => {
    const plan = planComments([c('ARTIST', 'Daft Punk')], wantedTags(track), 'overwrite');
    expect(plan.comments.filter((x) => x.key === 'ARTIST').map((x) => x.value)).toEqual(['Daft Punk', 'Romanthony']);
  });
  it('keep changes nothing', () => {
    expect(planComments(bot, wantedTags(track), 'keep')).toEqual({ comments: bot, changed: [] });
  });
  it('an empty value counts as missing', () => {
    expect(planComments([c('ALBUM', ' ')], { ALBUM: ['Discovery'] }, 'fill').comments).toEqual([c('ALBUM', 'Discovery')]);
  });
});

describe('wantsCover', () => {
  it.each([
    ['fill', false, true],
    ['fill', true, false],
    ['overwrite', true, true],
    ['keep', false, false],
  ] as const)('%s with a cover already there: %s → %s', (mode, has, expected) => {
    expect(wantsCover(mode, has)).toBe(expected);
  });
});
