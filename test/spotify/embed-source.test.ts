import { describe, expect, it } from 'vitest';
import { listingFromEmbed, parseEmbedPage } from '../../src/spotify/embed-source.js';
import type { EmbedTrack } from '../../src/spotify/embed-page.js';

const page = (data: unknown) =>
  `<html><body><script id="__NEXT_DATA__" type="application/json">${JSON.stringify(data)}</script></body></html>`;

describe('parseEmbedPage', () => {
  it('reads name and tracks, splitting the subtitle into artists (NBSP after commas)', () => {
    const parsed = parseEmbedPage(
      page({
        props: {
          pageProps: {
            state: {
              data: {
                entity: {
                  type: 'playlist',
                  name: 'Warehouse',
                  id: '3cEYpjA9oz9GiPac4AsH4n',
                  trackList: [
                    { uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', title: 'Rain (Original Mix)', subtitle: 'Kerri Chandler', duration: 421000, entityType: 'track' },
                    { uri: 'spotify:track:22dFghVXANMlKmJXsNCbNl', title: 'Duet', subtitle: 'A,\u00a0B\u00a0C', duration: 1000, entityType: 'track' },
                    { uri: 'spotify:episode:33dFghVXANMlKmJXsNCbNl', title: 'Talk', subtitle: 'Pod', duration: 5, entityType: 'episode' },
                  ],
                },
              },
            },
          },
        },
      }),
    );
    expect(parsed).toEqual({
      kind: 'found',
      type: 'playlist',
      id: '3cEYpjA9oz9GiPac4AsH4n',
      name: 'Warehouse',
      total: null,
      shape: 'next-data',
      anonymousToken: null,
      tracks: [
        { uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', title: 'Rain (Original Mix)', artists: ['Kerri Chandler'], durationMs: 421000, entityType: 'track', playable: true },
        { uri: 'spotify:track:22dFghVXANMlKmJXsNCbNl', title: 'Duet', artists: ['A', 'B C'], durationMs: 1000, entityType: 'track', playable: true },
        { uri: 'spotify:episode:33dFghVXANMlKmJXsNCbNl', title: 'Talk', artists: ['Pod'], durationMs: 5, entityType: 'episode', playable: true },
      ],
    });
  });

  it('prefers an artists array when the page has one', () => {
    const parsed = parseEmbedPage(
      page({ props: { pageProps: { state: { data: { entity: { name: 'X', trackList: [{ title: 'T', artists: [{ name: 'Tyler, The Creator' }], subtitle: 'Tyler, The Creator' }] } } } } } }),
    );
    expect(parsed.kind === 'found' && parsed.tracks[0]!.artists).toEqual(['Tyler, The Creator']);
  });

  it('a missing or private playlist is HTTP 200 with no state: not_found', () => {
    expect(parseEmbedPage(page({ props: { pageProps: { status: 404, title: 'Page not found' } } }))).toEqual({ kind: 'not_found', status: 404 });
    expect(parseEmbedPage(page({ props: { pageProps: { status: 500 } } }))).toEqual({ kind: 'not_found', status: 500 });
  });

  it('a changed page is a clear error, not an empty list', () => {
    expect(() => parseEmbedPage('<html><body>new layout</body></html>')).toThrow(/no __NEXT_DATA__/);
    expect(() => parseEmbedPage('<script id="__NEXT_DATA__" type="application/json">{oops</script>')).toThrow(/not JSON/);
    expect(() => parseEmbedPage(page({ props: { pageProps: { state: { data: { entity: { name: 'X' } } } } } }))).toThrow(/no trackList/);
  });
});

describe('parseEmbedPage: the shapes Spotify has served and the rows it mixes in', () => {
  const entityPage = (trackList: unknown[], extra: Record<string, unknown> = {}) =>
    page({ props: { pageProps: { state: { data: { entity: { type: 'playlist', name: 'P', trackList, ...extra } }, settings: { session: { accessToken: 'anon-tok' } } } } } });
  const found = (html: string) => {
    const p = parseEmbedPage(html);
    if (p.kind !== 'found') throw new Error('not found');
    return p;
  };

  it.each([
    ['real join ",\u00a0": a comma inside a name stays', 'Tyler, The Creator,\u00a0Kali Uchis', ['Tyler, The Creator', 'Kali Uchis']],
    ['one artist with a comma', 'Earth, Wind & Fire', ['Earth', 'Wind & Fire']],
    ['one artist with a comma, page with NBSP elsewhere', 'Earth, Wind\u00a0& Fire', ['Earth, Wind & Fire']],
    ['three artists', 'A,\u00a0B,\u00a0C', ['A', 'B', 'C']],
    ['older join without NBSP', 'A, B', ['A', 'B']],
    ['empty', '', []],
  ])('artists from the subtitle: %s', (_n, subtitle, expected) => {
    expect(found(entityPage([{ uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', title: 'T', subtitle, duration: 1, entityType: 'track' }])).tracks[0]!.artists).toEqual(expected);
  });

  it('older rows without entityType: episodes and local files by their URI; unplayable rows flagged; the anonymous token kept', () => {
    const p = found(
      entityPage([
        { uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', title: 'A', subtitle: 'X', duration: 1 },
        { uri: 'spotify:episode:22dFghVXANMlKmJXsNCbNl', title: 'Talk', subtitle: 'Pod', duration: 1 },
        { uri: 'spotify:local:Artist:Album:Title:200', title: 'Title', subtitle: 'Artist', duration: 1 },
        { uri: 'spotify:track:33dFghVXANMlKmJXsNCbNl', title: 'Gone', subtitle: 'Y', duration: 1, isPlayable: false, entityType: 'track' },
      ]),
    );
    expect(p.tracks.map((t) => [t.entityType, t.playable])).toEqual([
      ['track', true],
      ['episode', true],
      ['local', true],
      ['track', false],
    ]);
    expect(p.anonymousToken).toBe('anon-tok');
  });

  it('the base64 "resource" script (Web API shape) with its real total', () => {
    const resource = {
      type: 'playlist',
      id: '3cEYpjA9oz9GiPac4AsH4n',
      name: 'Old Shape',
      tracks: {
        total: 240,
        items: [
          { track: { uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', name: 'Rain', duration_ms: 421000, artists: [{ name: 'Kerri Chandler' }], type: 'track' } },
          { is_local: true, track: { uri: 'spotify:local:a:b:c:1', name: 'Home', duration_ms: 1, artists: [], type: 'track' } },
        ],
      },
    };
    const html = `<html><script id="resource" type="text/plain">${Buffer.from(JSON.stringify(resource)).toString('base64')}</script></html>`;
    const p = found(html);
    expect(p).toMatchObject({ shape: 'resource', name: 'Old Shape', total: 240 });
    expect(p.tracks.map((t) => [t.title, t.artists, t.entityType])).toEqual([
      ['Rain', ['Kerri Chandler'], 'track'],
      ['Home', [], 'local'],
    ]);
  });

  it('the base64 "initial-state" script', () => {
    const state = {
      entities: {
        items: {
          'spotify:playlist:3cEYpjA9oz9GiPac4AsH4n': {
            type: 'playlist',
            name: 'Initial',
            tracks: { total: 1, items: [{ track: { uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', name: 'T', duration_ms: 5, artists: [{ name: 'A' }, { name: 'B' }] } }] },
          },
        },
      },
    };
    const html = `<script id="initial-state" type="text/plain">\n${Buffer.from(JSON.stringify(state)).toString('base64')}\n</script>`;
    expect(found(html)).toMatchObject({ shape: 'initial-state', name: 'Initial', total: 1, tracks: [{ artists: ['A', 'B'] }] });
  });

  it('bounded: a page too large or a script that is not base64 is "changed", never a hang', () => {
    expect(() => parseEmbedPage('x'.repeat(9 * 1024 * 1024))).toThrow(/has changed/);
    expect(() => parseEmbedPage('<script id="resource">{not base64}</script>')).toThrow(/not base64/);
  });
});

describe('listingFromEmbed: honest warnings', () => {
  const track = (i: number, extra: Partial<EmbedTrack> = {}): EmbedTrack => ({
    uri: `spotify:track:${String(i).padStart(22, 'a')}`,
    title: `T${i}`,
    artists: ['A'],
    durationMs: 1000,
    entityType: 'track',
    playable: true,
    ...extra,
  });
  const parsed = (tracks: EmbedTrack[], total: number | null = null) =>
    ({ kind: 'found', type: 'playlist', id: null, name: 'P', tracks, total, shape: 'next-data', anonymousToken: null }) as const;

  it('a total from the page itself says "listed N of M" without a magic number', () => {
    const l = listingFromEmbed('id', parsed([track(1), track(2)], 7), null);
    expect(l.source.total).toBe(7);
    expect(l.warnings[0]).toMatch(/^Listed 2 of 7 tracks/);
  });

  it('episodes and local files skipped with a count; unplayable flagged by name', () => {
    const l = listingFromEmbed(
      'id',
      parsed([track(1), track(2, { entityType: 'episode' }), track(3, { entityType: 'local' }), track(4, { playable: false, title: 'Gone' })]),
      null,
    );
    expect(l.tracks.map((t) => t.title)).toEqual(['T1', 'Gone']);
    const text = l.warnings.join('\n');
    expect(text).toMatch(/1 podcast episode skipped/);
    expect(text).toMatch(/1 local file skipped/);
    expect(text).toMatch(/1 track is marked unplayable on Spotify .*A - Gone/);
  });
});

