/**
 * Issue 11, item 8: two shapes the matcher used to miss, fixed by general rules and kept
 * conservative (a miss stays a miss rather than becoming a wrong name).
 * (a) A file credited "X - Song (feat. Y)" while both X & Y's "Song (feat. Y)" and Y's own "Song"
 *     are pending: the same title, first artist and credits decide.
 * (b) A mix named after its maker on one side and read as the plain version on the other
 *     ("(Kings of Tomorrow's April Mix)" / "- Kings Of Tomorrow April Main Mix"): the maker's name,
 *     give or take a possessive or plural "s" and one word, plus a length within 3 s, carries it.
 */
import { describe, expect, it } from 'vitest';
import { pickMenuRow } from '../../src/lossless/picker.js';
import { attributeFiles } from '../../src/matching/attribute.js';
import type { IncomingFile, PendingRequest, RequestedTrack } from '../../src/matching/types.js';
import { verifyFile } from '../../src/matching/verify.js';

const r = (id: string, artists: string[], title: string, durationMs: number | null = null): PendingRequest => ({ id, artists, title, durationMs });
const file = (id: string, artist: string, title: string, durationMs: number | null = null): IncomingFile => ({ id, fileName: `${artist} - ${title}.flac`, artist, title, durationMs });

describe('(a) a featured credit beside the featured artist’s own song', () => {
  const featTitle = r('feat', ['CamelPhat', 'Elderbrook'], 'Cola (feat. Elderbrook)', 200_000);
  const spotifyShape = r('feat', ['CamelPhat', 'Elderbrook'], 'Cola', 200_000);
  const own = r('own', ['Elderbrook'], 'Cola', 200_000);

  it.each([
    ['the featured title', [featTitle, own], file('f', 'CamelPhat', 'Cola (feat. Elderbrook)', 200_000), 'feat'],
    ['Spotify’s shape (the feature only among the artists)', [spotifyShape, own], file('f', 'CamelPhat', 'Cola (feat. Elderbrook)', 200_000), 'feat'],
    ['no lengths at all', [r('feat', ['CamelPhat', 'Elderbrook'], 'Cola (feat. Elderbrook)'), r('own', ['Elderbrook'], 'Cola')], file('f', 'CamelPhat', 'Cola (feat. Elderbrook)'), 'feat'],
    ['"ft." in the file', [featTitle, own], file('f', 'CamelPhat', 'Cola (ft. Elderbrook)', 200_000), 'feat'],
    ['the featured artist’s own file', [featTitle, own], file('g', 'Elderbrook', 'Cola', 200_000), 'own'],
    [
      'another pair of the same shape',
      [r('feat', ['Tensnake', 'Fiora'], 'Coma Cat (feat. Fiora)', 318_000), r('own', ['Fiora'], 'Coma Cat', 318_000)],
      file('f', 'Tensnake', 'Coma Cat (feat. Fiora)', 318_000),
      'feat',
    ],
    ['a duo’s file beside one of the duo’s solo song', [r('duo', ['Maya Jane Coles', 'Catz N Dogz'], 'Give Me', 300_000), r('solo', ['Maya Jane Coles'], 'Give Me', 300_000)], file('f', 'Maya Jane Coles & Catz N Dogz', 'Give Me', 300_000), 'duo'],
  ] as const)('%s', (_name, requests, f, expected) => {
    expect(attributeFiles([...requests], [f])[f.id]).toBe(expected);
  });

  it('both files at once: each goes to its own request', () => {
    expect(attributeFiles([featTitle, own], [file('f', 'CamelPhat', 'Cola (feat. Elderbrook)', 200_000), file('g', 'Elderbrook', 'Cola', 200_000)])).toEqual({ f: 'feat', g: 'own' });
  });

  it('stays unassigned when the credits tell nothing apart (the same credits on both requests)', () => {
    // Two different recordings (14 s apart), a file without a length: nothing tells them apart.
    const a = r('a', ['Kerri Chandler'], 'Rain - Original Mix', 431_000);
    const b = r('b', ['Kerri Chandler'], 'Rain', 445_000);
    expect(attributeFiles([a, b], [file('x', 'Kerri Chandler', 'Rain')]).x).toBeNull();
    // Both requests carry the feature: the credits are no tie-breaker then.
    const twice = [r('p', ['CamelPhat', 'Elderbrook'], 'Cola (feat. Elderbrook)', 200_000), r('q', ['CamelPhat', 'Elderbrook'], 'Cola', 212_000)];
    expect(attributeFiles(twice, [file('z', 'CamelPhat', 'Cola (feat. Elderbrook)')]).z).toBeNull();
    // A remix of the featured song is neither of them.
    expect(attributeFiles([featTitle, own], [file('y', 'CamelPhat', 'Cola (feat. Elderbrook) [Purple Disco Machine Remix]', 200_000)]).y).toBeNull();
  });
});

describe('(b) a mix named after its maker on one side only', () => {
  const req = (title: string, durationMs: number): RequestedTrack => ({ id: 'r', artists: ['Kings Of Tomorrow'], title, durationMs });
  const april = req("Finally (Kings of Tomorrow's April Mix)", 373_500);
  const menu = [
    'Kings Of Tomorrow - Finally [3:45]',
    'Kings Of Tomorrow - Finally (Dub) [6:12]',
    'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix [6:12]',
    'Karaoke Hits - Finally (In the Style of Kings Of Tomorrow) [6:12]',
  ];

  it('the picker takes the row naming the maker, 1.5 s apart, past the plain, the dub and a decoy', () => {
    expect(pickMenuRow(april, menu).index).toBe(2);
  });

  it.each([
    ['possessive on the request', "Finally (Kings of Tomorrow's April Mix)", 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix [6:12]'],
    ['possessive on the row', 'Finally - Kings Of Tomorrow April Main Mix', "Kings Of Tomorrow - Finally (Kings of Tomorrow's April Mix) [6:12]"],
    ['one word more on the row', 'Finally (Kings of Tomorrow Mix)', 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix [6:12]'],
    ['plural on one side', 'Finally (Kings of Tomorrows April Mix)', 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Original Mix [6:12]'],
  ])('%s', (_name, title, row) => {
    expect(pickMenuRow(req(title, 373_500), [row]).index).toBe(0);
  });

  it.each([
    ['the lengths 4 s apart', april, 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix [6:08]'],
    ['another maker', april, 'Kings Of Tomorrow - Finally - Danny Tenaglia Main Mix [6:12]'],
    ['a plain row with no maker named', april, 'Kings Of Tomorrow - Finally [6:12]'],
    ['a dub by the same maker is another recording', req('Finally (Kings of Tomorrow Dub)', 373_500), 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix [6:12]'],
    ['more than one word apart', req('Finally (Tomorrow Mix)', 373_500), 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix [6:12]'],
    ['a one-word maker must be the same word', req('Plastic Dreams (Jaydee Mix)', 373_500), 'Jaydee - Plastic Dreams - Jayden Original Mix [6:12]'],
  ])('no pick: %s', (_name, request, row) => {
    expect(pickMenuRow(request, [row]).index).toBeNull();
  });

  it('a one-word maker with a possessive still counts', () => {
    expect(pickMenuRow({ id: 'r', artists: ['Jaydee'], title: "Plastic Dreams (Jaydee's Mix)", durationMs: 373_500 }, ['Jaydee - Plastic Dreams - Jaydee Original Mix [6:12]']).index).toBe(0);
  });

  it('the file check agrees: accepted within 3 s, refused beyond', () => {
    const facts = (durationMs: number) => ({ fileName: 'Kings Of Tomorrow - Finally - Kings Of Tomorrow April Main Mix.flac', artist: 'Kings Of Tomorrow', title: 'Finally - Kings Of Tomorrow April Main Mix', durationMs });
    expect(verifyFile(april, null, facts(372_000))).toEqual({ ok: true });
    expect(verifyFile(april, null, facts(368_000)).ok).toBe(false);
    expect(verifyFile(april, null, { ...facts(372_000), title: 'Finally', fileName: 'Kings Of Tomorrow - Finally.flac' }).ok).toBe(false);
  });
});
