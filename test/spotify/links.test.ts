import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { findLinkInPage, isSpotifyOwnedPlaylist, parseSpotifyLink } from '../../src/spotify/links.js';

const P = '37i9dQZF1DXcBWIGoYBM5M';
const ID = '3cEYpjA9oz9GiPac4AsH4n';
const AL = '6akEvsycLGftJxYudPjmqK';
const TR = '11dFghVXANMlKmJXsNCbNl';

describe('parseSpotifyLink: accepted forms', () => {
  const cases: [string, string, 'playlist' | 'album' | 'track', string][] = [
    ['plain playlist', `https://open.spotify.com/playlist/${ID}`, 'playlist', ID],
    ['with ?si=', `https://open.spotify.com/playlist/${ID}?si=a1b2c3d4e5f6`, 'playlist', ID],
    ['with ?si= and &pi=', `https://open.spotify.com/playlist/${ID}?si=abc&pi=u-xyz`, 'playlist', ID],
    ['trailing slash', `https://open.spotify.com/album/${AL}/`, 'album', AL],
    ['intl-de', `https://open.spotify.com/intl-de/track/${TR}?si=x`, 'track', TR],
    ['intl-pt-BR? (intl-pt)', `https://open.spotify.com/intl-pt/album/${AL}`, 'album', AL],
    ['embed playlist', `https://open.spotify.com/embed/playlist/${ID}?utm_source=generator`, 'playlist', ID],
    ['embed album', `https://open.spotify.com/embed/album/${AL}`, 'album', AL],
    ['user/NAME/playlist/ID', `https://open.spotify.com/user/spotify/playlist/${ID}`, 'playlist', ID],
    ['no scheme', `open.spotify.com/track/${TR}`, 'track', TR],
    ['http scheme', `http://open.spotify.com/track/${TR}`, 'track', TR],
    ['play.spotify.com', `https://play.spotify.com/album/${AL}`, 'album', AL],
    ['spotify:playlist:', `spotify:playlist:${ID}`, 'playlist', ID],
    ['spotify:album:', `spotify:album:${AL}`, 'album', AL],
    ['spotify:track:', `spotify:track:${TR}`, 'track', TR],
    ['spotify:user:NAME:playlist:', `spotify:user:someone:playlist:${ID}`, 'playlist', ID],
    ['legacy embed.spotify.com ?uri=', `https://embed.spotify.com/?uri=spotify:track:${TR}`, 'track', TR],
    ['editorial id', `https://open.spotify.com/playlist/${P}`, 'playlist', P],
    ['surrounded by share text', `Listen to this on Spotify: https://open.spotify.com/playlist/${ID}?si=1 enjoy`, 'playlist', ID],
    ['in angle brackets', `<https://open.spotify.com/album/${AL}>`, 'album', AL],
    ['whitespace around', `   https://open.spotify.com/track/${TR}\n`, 'track', TR],
  ];
  it.each(cases)('%s', (_name, input, type, id) => {
    const parsed = parseSpotifyLink(input);
    expect(parsed).toEqual({ kind: 'link', link: { type, id, url: `https://open.spotify.com/${type}/${id}` } });
  });

  it('accepts the configured web host (a proxy or the test fake)', () => {
    const parsed = parseSpotifyLink(`http://127.0.0.1:4555/playlist/${ID}`, { extraWebHosts: ['127.0.0.1:4555'] });
    expect(parsed).toMatchObject({ kind: 'link', link: { type: 'playlist', id: ID } });
  });
});

describe('parseSpotifyLink: short links are handed back for resolving', () => {
  it.each([
    ['spotify.link', 'https://spotify.link/AbCdEf123'],
    ['spotify.app.link', 'https://spotify.app.link/AbCdEf123?_p=x'],
    ['open.spotify.com/s/', 'https://open.spotify.com/s/AbCdEf123'],
    ['spotify.link without scheme', 'spotify.link/AbCdEf123'],
  ])('%s', (_name, input) => {
    expect(parseSpotifyLink(input).kind).toBe('short');
  });
});

describe('parseSpotifyLink: everything else is a UserError that lists the accepted links', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '   ', /No link given/],
    ['another site', 'https://music.apple.com/us/playlist/x/pl.123', /not a Spotify link/],
    ['youtube', 'https://www.youtube.com/watch?v=dQw4w9WgXcQ', /not a Spotify link/],
    ['plain words', 'daft punk one more time', /not a Spotify link/],
    ['artist link', 'https://open.spotify.com/artist/4tZwfgrHOc3mvqYlEYSvVi', /artist link/],
    ['episode link', 'https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ', /podcast episode link/],
    ['show link', 'https://open.spotify.com/show/2MAi0BvDc6GTFvKFPXnkCL', /podcast link/],
    ['profile link', 'https://open.spotify.com/user/someone', /profile link/],
    ['cut-off id', 'https://open.spotify.com/playlist/3cEYpjA9oz9Gi', /22 letters and digits/],
    ['id with junk', 'https://open.spotify.com/playlist/3cEYpjA9oz9GiPac4AsH4n!!', /22 letters and digits/],
    ['home page', 'https://open.spotify.com/', /no playlist, album or track/],
    ['spotify:artist:', 'spotify:artist:4tZwfgrHOc3mvqYlEYSvVi', /artist link/],
    ['spotify: nonsense', 'spotify:nonsense', /not a Spotify playlist, album or track link/],
  ];
  it.each(cases)('%s', (_name, input, message) => {
    let caught: unknown;
    try {
      parseSpotifyLink(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UserError);
    const err = caught as UserError;
    expect(err.message).toMatch(message);
    expect(err.hint).toContain('https://open.spotify.com/playlist/');
    expect(err.hint).toContain('spotify.link');
  });
});

describe('isSpotifyOwnedPlaylist', () => {
  it('flags the 37i9dQZ range only', () => {
    expect(isSpotifyOwnedPlaylist(P)).toBe(true);
    expect(isSpotifyOwnedPlaylist(ID)).toBe(false);
  });
});

describe('findLinkInPage: the target of a short-link page, in every form it was seen in', () => {
  const id = '37i9dQZF1DXcBWIGoYBM5M';
  const canonical = `https://open.spotify.com/playlist/${id}`;
  const t = `https://open.spotify.com/playlist/${id}?si=x1`;
  it.each([
    ['og:url plain', `<meta property="og:url" content="${t}">`, canonical],
    ['og:url percent-encoded', `<meta property="og:url" content="${encodeURIComponent(t)}">`, canonical],
    ['og:url percent-encoded twice', `<meta content="${encodeURIComponent(encodeURIComponent(t))}" property="og:url">`, canonical],
    ['JSON-escaped in a script', `<script>{"url":"${t.replace(/\//g, '\\/')}"}</script>`, canonical],
    ['\\u002F escapes', `<script>{"url":"${t.replace(/\//g, '\\u002F')}"}</script>`, canonical],
    ['HTML entities', `<a href="https:&#x2F;&#x2F;open.spotify.com&#x2F;playlist&#x2F;${id}">`, canonical],
    ['a spotify: URI', `<meta property="al:ios:url" content="spotify:album:${id}">`, `https://open.spotify.com/album/${id}`],
    ['intl path', `<link rel="canonical" href="https://open.spotify.com/intl-de/track/${id}">`, `https://open.spotify.com/track/${id}`],
    ['og:url wins over other links', `<a href="https://open.spotify.com/track/${'a'.repeat(22)}"></a><meta property="og:url" content="${t}">`, canonical],
    ['nothing', '<html><body>Spotify – Web Player</body></html>', null],
    ['a malformed escape does not throw', '<meta property="og:url" content="%E0%A4%A">', null],
  ])('%s', (_name, html, expected) => {
    expect(findLinkInPage(html)).toBe(expected);
  });

  it('a huge page is scanned only up to its head, quickly', () => {
    const html = `<meta property="og:url" content="${t}">` + 'x'.repeat(20_000_000);
    expect(findLinkInPage(html)).toBe(canonical);
  });

  it.each(['https://spoti.fi/3xYz', 'link.tospotify.com/AbCdEf', 'https://spotify.app.link/e/AbC'])('%s is a short link', (input) => {
    expect(parseSpotifyLink(input).kind).toBe('short');
  });
});

