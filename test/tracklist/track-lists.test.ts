import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvTrackList, TrackListFormatError } from '../../src/tracklist/csv-list.js';
import { durationMsOf, splitArtists, spotifyTrackId } from '../../src/tracklist/row-fields.js';
import { parseTextTrackList } from '../../src/tracklist/text-list.js';
import { readTrackListFile, trackListLink, withTrackLists } from '../../src/tracklist/track-list-file.js';

const fixture = (name: string) => path.join(import.meta.dirname, '..', 'fixtures', 'tracklists', name);
const read = (name: string) => readFileSync(fixture(name), 'utf8');
const tmp = mkdtempSync(path.join(tmpdir(), 'crate-lists-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('row fields', () => {
  it.each([
    ['spotify:track:4uLU6hMCjMI75M1A2tKUQC', '4uLU6hMCjMI75M1A2tKUQC'],
    ['https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=x', '4uLU6hMCjMI75M1A2tKUQC'],
    ['4uLU6hMCjMI75M1A2tKUQC', '4uLU6hMCjMI75M1A2tKUQC'],
    ['spotify:local:::x:1', null],
    ['', null],
  ])('track id of %j', (cell, id) => expect(spotifyTrackId(cell)).toBe(id));

  it.each([
    ['245000', 'ms', 245000],
    ['245', 'auto', 245000],
    ['245000', 'auto', 245000],
    ['4:05', 'auto', 245000],
    ['1:04:05', 'auto', 3845000],
    ['four', 'auto', null],
  ] as const)('duration %j (%s)', (cell, unit, ms) => expect(durationMsOf(cell, unit)).toBe(ms));

  it.each([
    ['Tyler, The Creator,Playboi Carti', 2, ['Tyler, The Creator', 'Playboi Carti']],
    ['Tyler, The Creator', 1, ['Tyler, The Creator']],
    ['A;B;C', null, ['A', 'B', 'C']],
    ['CamelPhat, Elderbrook', null, ['CamelPhat', 'Elderbrook']],
    ['', null, []],
  ] as const)('artists %j with %s URIs', (cell, n, expected) => expect(splitArtists(cell, n)).toEqual(expected));
});

describe('CSV exports', () => {
  it('Exportify: URIs, artists split by their URI count, album, year, ms, ISRC; a local file row reported', () => {
    const list = parseCsvTrackList(read('exportify.csv'));
    expect(list.format).toBe('exportify');
    expect(list.tracks.map((t) => [t.position, t.spotifyId, t.artists, t.title, t.album, t.durationMs, t.isrc, t.releaseYear])).toEqual([
      [1, '4uLU6hMCjMI75M1A2tKUQC', ['Kerri Chandler'], 'Rain (Original Mix)', 'Rain', 421000, 'USABC9800001', 1998],
      [2, '5vLU6hMCjMI75M1A2tKUQC', ['Tyler, The Creator', 'Playboi Carti'], 'EARFQUAKE', 'IGOR', 190066, 'USQX91900754', 2019],
      [3, '6wLU6hMCjMI75M1A2tKUQC', ['Кино'], 'Группа крови', 'Группа крови', 285000, 'RUA1D8800001', 1988],
    ]);
    expect(list.problems).toEqual([{ line: 5, message: 'no track name and no artist' }]);
  });

  it('TuneMyMusic: BOM, playlist name, dashed ISRC, a bare Spotify id; the row without a name is reported', () => {
    const list = parseCsvTrackList(read('tunemymusic.csv'));
    expect(list.format).toBe('tunemymusic');
    expect(list.playlistName).toBe('Warehouse Tuesdays');
    expect(list.tracks.map((t) => [t.artists, t.title, t.isrc, t.spotifyId])).toEqual([
      [['Róisín Murphy'], 'Overpowered', 'GBUM70702345', '5kqIPrATaCc2LqxVWzQGbk'],
      [['CeCe Peniston'], "Finally (Kings of Tomorrow's April Mix)", null, null],
      [['Benny Benassi'], 'Satisfaction', 'ITU060300010', null],
    ]);
    expect(list.problems).toEqual([{ line: 5, message: 'no track name' }]);
  });

  it('Soundiiz: lower-case columns; missing artist and a bad ISRC reported, never dropped silently', () => {
    const list = parseCsvTrackList(read('soundiiz.csv'));
    expect(list.format).toBe('soundiiz');
    expect(list.tracks.map((t) => [t.artists, t.title, t.isrc])).toEqual([
      [['CamelPhat', 'Elderbrook'], 'Cola (feat. Elderbrook)', 'GBCEN1700111'],
      [['FISHER'], 'Losing It', 'AUUM71800412'],
      [['Rhythim Is Rhythim'], 'Strings of Life', null],
    ]);
    expect(list.problems).toEqual([
      { line: 4, message: '"No Artist Here" has no artist' },
      { line: 5, message: '"Strings of Life": ISRC "NOTANISRC" is not valid; the track is matched without it' },
    ]);
  });

  it('semicolon-separated, columns in any order; a file without the needed columns says what it found', () => {
    const list = parseCsvTrackList('Artist;Title;Length\nFISHER;Losing It;4:12\n');
    expect(list.tracks[0]).toMatchObject({ artists: ['FISHER'], title: 'Losing It', durationMs: 252000 });
    expect(() => parseCsvTrackList('a,b\n1,2\n')).toThrow(TrackListFormatError);
    expect(() => parseCsvTrackList('a,b\n1,2\n')).toThrow(/found: a, b/);
  });
});

describe('text lists', () => {
  it('"Artist - Title" lines with dashes, numbers and lengths; the rest reported with line numbers', () => {
    const list = parseTextTrackList(read('friday.txt'));
    expect(list.tracks.map((t) => [t.position, t.artists, t.title, t.durationMs])).toEqual([
      [1, ['Kerri Chandler'], 'Rain (Original Mix)', 421000],
      [2, ['Róisín Murphy'], 'Overpowered', null],
      [3, ['CamelPhat', 'Elderbrook'], 'Cola', 261000],
      [4, ['Benny Benassi'], 'Satisfaction', null],
    ]);
    expect(list.problems.map((p) => p.line)).toEqual([6, 7]);
    expect(list.problems[0]!.message).toMatch(/is not "Artist - Title"/);
    expect(list.problems[1]!.message).toMatch(/Spotify track link/);
  });
});

describe('a track list file as a job source', () => {
  it('names the job from the file (or --name), reports the problem rows, and passes links through to Spotify', async () => {
    const listing = await readTrackListFile(trackListLink(fixture('soundiiz.csv')));
    expect(listing.source).toMatchObject({ type: 'playlist', name: 'soundiiz', total: 3, backend: 'file' });
    expect(listing.warnings.join('\n')).toMatch(/2 rows with a problem — line 4: .*; line 5: /);
    const named = await readTrackListFile(trackListLink(fixture('friday.txt'), 'Friday Warm-up'));
    expect(named.source.name).toBe('Friday Warm-up');
    expect(named.source.id).toBe(listing.source.id === named.source.id ? 'never' : named.source.id);

    const spotify = { load: async (link: string) => ({ source: { type: 'playlist' as const, id: link, name: 'S', total: 0, backend: 'embed' as const }, tracks: [], warnings: [] }) };
    expect((await withTrackLists(spotify).load('https://open.spotify.com/playlist/x')).source.id).toBe('https://open.spotify.com/playlist/x');
    expect((await withTrackLists(spotify).load(trackListLink(fixture('exportify.csv')))).source.backend).toBe('file');
  });

  it('the same content is the same job id; a missing, empty or huge file is a plain error', async () => {
    const a = path.join(tmp, 'a.txt');
    const b = path.join(tmp, 'b.txt');
    writeFileSync(a, 'A - B\n');
    writeFileSync(b, 'A - B\n');
    expect((await readTrackListFile(trackListLink(a))).source.id).toBe((await readTrackListFile(trackListLink(b))).source.id);
    await expect(readTrackListFile(trackListLink(path.join(tmp, 'nope.csv')))).rejects.toThrow(/There is no file/);
    writeFileSync(path.join(tmp, 'empty.txt'), '# nothing\n\n');
    await expect(readTrackListFile(trackListLink(path.join(tmp, 'empty.txt')))).rejects.toThrow(/has no usable track/);
    writeFileSync(path.join(tmp, 'huge.txt'), Buffer.alloc(9 * 1024 * 1024, 0x41));
    await expect(readTrackListFile(trackListLink(path.join(tmp, 'huge.txt')))).rejects.toThrow(/at most 8 MB/);
  });
});
