import { describe, expect, it } from 'vitest';
import { parseEmbedPage } from '../../src/spotify/embed-source.js';

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
      tracks: [
        { uri: 'spotify:track:11dFghVXANMlKmJXsNCbNl', title: 'Rain (Original Mix)', artists: ['Kerri Chandler'], durationMs: 421000, entityType: 'track' },
        { uri: 'spotify:track:22dFghVXANMlKmJXsNCbNl', title: 'Duet', artists: ['A', 'B C'], durationMs: 1000, entityType: 'track' },
        { uri: 'spotify:episode:33dFghVXANMlKmJXsNCbNl', title: 'Talk', artists: ['Pod'], durationMs: 5, entityType: 'episode' },
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
