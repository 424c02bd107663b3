import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackFacts } from '../../src/spotify/enrich.js';
import { UserError } from '../../src/domain/errors.js';
import { SpotifyTokenStore } from '../../src/spotify/token-store.js';
import {
  editorialId,
  fakeId,
  makeAlbum,
  makeTracks,
  openUrl,
  startFakeSpotify,
  type FakeSpotify,
} from '../fakes/fake-spotify-server.js';
import { configFor, sourceFor, tmpDir } from './support.js';

const mine = makeTracks(120, { prefix: 'Mine', featuring: true });
const theirs = makeTracks(150, { prefix: 'Theirs' });
const small = makeTracks(12, { prefix: 'Small' });
const shared = makeTracks(7, { prefix: 'Shared' });
const editorialTracks = makeTracks(60, { prefix: 'Hits' });
const albumTracks = makeTracks(5, { prefix: 'Alb' });

const IDS = {
  mine: fakeId('pl:mine'),
  theirs: fakeId('pl:theirs'),
  small: fakeId('pl:small'),
  collab: fakeId('pl:collab'),
  private: fakeId('pl:private'),
  gaps: fakeId('pl:gaps'),
  editorial: editorialId('hits'),
  album: fakeId('album:one'),
};

let fake: FakeSpotify;
let ownerToken: string;
const tmp = tmpDir();

beforeAll(async () => {
  fake = await startFakeSpotify({
    playlists: [
      { id: IDS.mine, name: 'My Set', ownerId: 'owner', ownerName: 'Owner', rows: mine },
      { id: IDS.theirs, name: 'Their Mix', ownerId: 'dj-friend', ownerName: 'DJ Friend', rows: theirs },
      { id: IDS.small, name: 'Small Public', ownerId: 'dj-friend', rows: small },
      { id: IDS.collab, name: 'Together', ownerId: 'dj-friend', collaborators: ['owner'], rows: shared },
      { id: IDS.private, name: 'Secret', ownerId: 'dj-friend', public: false, rows: small },
      {
        id: IDS.gaps,
        name: 'With Gaps',
        ownerId: 'owner',
        rows: [small[0]!, null, { episode: 'A Podcast Episode' }, small[1]!],
      },
      { id: IDS.editorial, name: "Today's Top Hits", ownerId: 'spotify', rows: editorialTracks },
    ],
    albums: [makeAlbum(IDS.album, 'The Album', ['Alb Artist'], albumTracks, '2011-09-01')],
  });
  ownerToken = fake.issueRefreshToken('owner', 'Owner');
});

afterAll(async () => {
  await fake.close();
  tmp.cleanup();
});

function dataDir(name: string): string {
  return `${tmp.dir}/${name}`;
}

describe('backend "user" (the owner\'s login)', () => {
  it('lists an owned playlist through /items in pages of 50, with ISRC and 1-based positions', async () => {
    const config = configFor(fake, dataDir('u1'), { SPOTIFY_REFRESH_TOKEN: ownerToken });
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.mine) + '?si=abc');
    expect(listing.source).toEqual({ type: 'playlist', id: IDS.mine, name: 'My Set', total: 120, backend: 'user' });
    expect(listing.tracks).toHaveLength(120);
    expect(listing.tracks[0]).toEqual({
      position: 1,
      spotifyId: mine[0]!.id,
      artists: mine[0]!.artists,
      title: mine[0]!.name,
      album: 'Mine Album',
      durationMs: mine[0]!.durationMs,
      isrc: mine[0]!.isrc,
      releaseYear: 2019,
      albumArtists: ['Mine Artist 1'],
      trackNumber: 1,
      discNumber: 1,
      releaseDate: '2019-05-17',
      coverUrl: null,
    });
    expect(listing.tracks[2]!.artists).toEqual(['Mine Artist 3', 'Mine Guest 3']);
    expect(listing.tracks.map((t) => t.position)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(listing.warnings).toEqual([]);
    const items = fake.requests.slice(before).filter((r) => r.path.endsWith('/items'));
    expect(items.map((r) => [r.query.offset, r.query.limit])).toEqual([
      ['0', '50'],
      ['50', '50'],
      ['100', '50'],
    ]);
    expect(items.every((r) => r.who === 'user:owner')).toBe(true);
  });

  it('reads playlists the owner collaborates on', async () => {
    const config = configFor(fake, dataDir('u2'), { SPOTIFY_REFRESH_TOKEN: ownerToken });
    const listing = await sourceFor(config).source.load(`spotify:playlist:${IDS.collab}`);
    expect(listing.source.backend).toBe('user');
    expect(listing.tracks.map((t) => t.title)).toEqual(shared.map((t) => t.name));
  });

  it('keeps playlist positions when rows are unavailable or episodes, and says so', async () => {
    const config = configFor(fake, dataDir('u3'), { SPOTIFY_REFRESH_TOKEN: ownerToken });
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.gaps));
    expect(listing.tracks.map((t) => [t.position, t.title])).toEqual([
      [1, small[0]!.name],
      [4, small[1]!.name],
    ]);
    expect(listing.source.total).toBe(4);
    expect(listing.warnings.join('\n')).toMatch(/1 entry is no longer available/);
    expect(listing.warnings.join('\n')).toMatch(/1 podcast episode skipped/);
  });

  it("someone else's playlist: metadata without items (no request for rows, no total), read from the embed page, cut said honestly", async () => {
    const config = configFor(fake, dataDir('u4'), { SPOTIFY_REFRESH_TOKEN: ownerToken, SPOTIFY_ENRICH: 'off' });
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.theirs));
    // Spotify sends no total for others' playlists: the list is as long as the page, and it says it may be cut.
    expect(listing.source).toEqual({ type: 'playlist', id: IDS.theirs, name: 'Their Mix', total: 100, backend: 'embed' });
    expect(listing.tracks).toHaveLength(100);
    expect(listing.tracks[99]).toMatchObject({ position: 100, title: theirs[99]!.name, isrc: null, album: null });
    const text = listing.warnings.join('\n');
    expect(text).toMatch(/belongs to DJ Friend/);
    expect(text).toMatch(/Listed 100 tracks; Spotify does not say how many/);
    expect(text).toMatch(/no ISRC/);
    const asked = fake.requests.slice(before).map((r) => r.path);
    expect(asked.filter((p) => p.includes('/items'))).toEqual([]);
  });

  it('a plain 403 on the playlist object is about the app or the login, not ownership: said so, read from the public page', async () => {
    const config = configFor(fake, dataDir('u4b'), { SPOTIFY_REFRESH_TOKEN: ownerToken });
    fake.failNext({ status: 403, pathPrefix: `/v1/playlists/${IDS.small}`, body: { error: { status: 403, message: 'Forbidden' } } });
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.small));
    expect(listing.source.backend).toBe('embed');
    expect(listing.warnings[0]).toMatch(/refused to read the playlist with your login: "Forbidden"/);
    expect(listing.warnings[0]).not.toMatch(/belongs to/);
    fake.clearPlans();
  });

  it('a login not on the app\'s allowlist: Spotify\'s own words and the fix (User Management), not "not yours"', async () => {
    const gated = await startFakeSpotify({
      playlists: [{ id: IDS.small, name: 'Mine', ownerId: 'owner', rows: small }],
      allowlist: ['someone-else'],
    });
    try {
      const config = configFor(gated, dataDir('u4c'), { SPOTIFY_REFRESH_TOKEN: gated.issueRefreshToken('owner') });
      const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.small));
      expect(listing.source.backend).toBe('embed');
      expect(listing.warnings[0]).toMatch(/User not registered in the Developer Dashboard/);
      expect(listing.warnings[0]).toMatch(/User Management/);
      expect(listing.warnings.join('\n')).not.toMatch(/belongs to/);
    } finally {
      await gated.close();
    }
  });

  it('refreshes an expired access token once (401) and goes on', async () => {
    const config = configFor(fake, dataDir('u5'), { SPOTIFY_REFRESH_TOKEN: ownerToken });
    const { source } = sourceFor(config);
    await source.load(openUrl('playlist', IDS.collab));
    fake.expireAccessTokens();
    const before = fake.requestsTo('/api/token').length;
    const listing = await source.load(openUrl('playlist', IDS.collab));
    expect(listing.source.backend).toBe('user');
    expect(fake.requestsTo('/api/token').length).toBe(before + 1);
  });

  it('stores a rotated refresh token (0600 in a 0700 folder) and the stored login wins over the environment', async () => {
    const rotating = await startFakeSpotify({
      playlists: [{ id: IDS.small, name: 'Mine Too', ownerId: 'owner', rows: small }],
      rotateRefreshTokens: true,
    });
    try {
      const first = rotating.issueRefreshToken('owner');
      const dir = dataDir('u6');
      const config = configFor(rotating, dir, { SPOTIFY_REFRESH_TOKEN: first });
      await sourceFor(config).source.load(openUrl('playlist', IDS.small));
      const store = new SpotifyTokenStore(dir);
      const stored = store.read();
      expect(stored?.refreshToken).toBe(rotating.refreshTokensOf('owner')[0]);
      expect(stored?.refreshToken).not.toBe(first);
      expect(statSync(store.file).mode & 0o777).toBe(0o600);
      expect(statSync(store.dir).mode & 0o777).toBe(0o700);
      // The env token is now dead at Spotify; a new process must use the stored one.
      const again = await sourceFor(configFor(rotating, dir, { SPOTIFY_REFRESH_TOKEN: first })).source.load(openUrl('playlist', IDS.small));
      expect(again.source.backend).toBe('user');
    } finally {
      await rotating.close();
    }
  });

  it('a revoked login falls back to the public page with a note telling how to log in again', async () => {
    const config = configFor(fake, dataDir('u7'), { SPOTIFY_REFRESH_TOKEN: 'revoked-token' });
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.small));
    expect(listing.source.backend).toBe('embed');
    expect(listing.warnings[0]).toMatch(/Spotify login no longer works.*crate spotify-login/s);
  });

  it('never puts the refresh token in a warning', async () => {
    const config = configFor(fake, dataDir('u8'), { SPOTIFY_REFRESH_TOKEN: 'revoked-secret-token-value' });
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.small));
    expect(JSON.stringify(listing)).not.toContain('revoked-secret-token-value');
  });
});

describe('backend "embed" (no login)', () => {
  it('lists a public playlist without any credentials', async () => {
    const config = configFor(fake, dataDir('e1'), {}, false);
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.small));
    expect(listing.source).toEqual({ type: 'playlist', id: IDS.small, name: 'Small Public', total: 12, backend: 'embed' });
    expect(listing.tracks[0]).toEqual({
      position: 1,
      spotifyId: small[0]!.id,
      artists: small[0]!.artists,
      title: small[0]!.name,
      album: null,
      durationMs: small[0]!.durationMs,
      isrc: null,
      releaseYear: null,
    });
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual([`/embed/playlist/${IDS.small}`]);
  });

  it('app credentials do not spend a request on a total Spotify never sends for others\' playlists', async () => {
    const config = configFor(fake, dataDir('e2'));
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.theirs));
    expect(listing.source.total).toBe(100);
    expect(listing.warnings[0]).toMatch(/^Listed 100 tracks; Spotify does not say how many there are/);
    expect(fake.requests.slice(before).some((r) => r.path.startsWith('/v1/playlists'))).toBe(false);
  });

  it('without any credentials a cut list says it may have more', async () => {
    const config = configFor(fake, dataDir('e3'), {}, false);
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.theirs));
    expect(listing.source.total).toBe(100);
    expect(listing.warnings[0]).toMatch(/Listed 100 tracks; .*stops at 100, so there may be more/);
  });

  it("reads Spotify's own 37i9… playlists from the embed page and says why", async () => {
    const config = configFor(fake, dataDir('e4'), { SPOTIFY_REFRESH_TOKEN: ownerToken, SPOTIFY_ENRICH: 'off' });
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.editorial));
    expect(listing.source.backend).toBe('embed');
    expect(listing.tracks).toHaveLength(60);
    expect(listing.warnings[0]).toMatch(/Spotify's own playlists.*37i9.*404/);
    // The API is not even asked: it would answer 404.
    expect(fake.requests.slice(before).some((r) => r.path.startsWith('/v1/'))).toBe(false);
  });

  it('a private or missing playlist is a UserError that says what to do', async () => {
    const config = configFor(fake, dataDir('e5'), {}, false);
    const { source } = sourceFor(config);
    await expect(source.load(openUrl('playlist', IDS.private))).rejects.toThrow(/private, deleted, or the link is mistyped/);
    await expect(source.load(openUrl('playlist', fakeId('nope')))).rejects.toBeInstanceOf(UserError);
  });

  it('a personalised 37i9 mix that is not public gets its own explanation', async () => {
    const config = configFor(fake, dataDir('e6'), {}, false);
    await expect(sourceFor(config).source.load(openUrl('playlist', editorialId('daily-mix')))).rejects.toThrow(/Discover Weekly or Daily Mix/);
  });
});

describe('backend "catalog" (albums and tracks)', () => {
  it('lists an album with ISRCs fetched one track at a time', async () => {
    const config = configFor(fake, dataDir('c1'));
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('album', IDS.album));
    expect(listing.source).toEqual({ type: 'album', id: IDS.album, name: 'Alb Artist - The Album', total: 5, backend: 'catalog' });
    expect(listing.tracks.map((t) => [t.position, t.title, t.isrc, t.album, t.releaseYear])).toEqual(
      albumTracks.map((t, i) => [i + 1, t.name, t.isrc, 'The Album', 2011]),
    );
    const paths = fake.requests.slice(before).map((r) => r.path).filter((p) => p.startsWith('/v1/'));
    expect(paths).toEqual([
      `/v1/albums/${IDS.album}`,
      `/v1/albums/${IDS.album}/tracks`,
      ...albumTracks.map((t) => `/v1/tracks/${t.id}`),
    ]);
    expect(fake.requests.slice(before).filter((r) => r.path.startsWith('/v1/')).every((r) => r.who === 'app')).toBe(true);
  });

  it('lists a single track', async () => {
    const config = configFor(fake, dataDir('c2'));
    const t = albumTracks[2]!;
    const listing = await sourceFor(config).source.load(`https://open.spotify.com/intl-fr/track/${t.id}?si=zz`);
    expect(listing.source).toEqual({ type: 'track', id: t.id, name: `${t.artists.join(', ')} - ${t.name}`, total: 1, backend: 'catalog' });
    expect(listing.tracks).toEqual([
      {
        position: 1,
        spotifyId: t.id,
        artists: t.artists,
        title: t.name,
        album: 'The Album',
        durationMs: t.durationMs,
        isrc: t.isrc,
        releaseYear: 2011,
        albumArtists: t.artists.slice(0, 1),
        trackNumber: 1,
        discNumber: 1,
        releaseDate: '2011-09-01',
        coverUrl: null,
      },
    ]);
  });

  it('an album without app credentials names the settings to add', async () => {
    const config = configFor(fake, dataDir('c3'), {}, false);
    const err = await sourceFor(config).source.load(openUrl('album', IDS.album)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toMatch(/SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET/);
  });

  it('an album with only the owner\'s login uses that login', async () => {
    const config = configFor(fake, dataDir('c4'), { SPOTIFY_CLIENT_ID: fake.clientId, SPOTIFY_REFRESH_TOKEN: ownerToken }, false);
    const listing = await sourceFor(config).source.load(openUrl('album', IDS.album));
    expect(listing.source.backend).toBe('catalog');
    expect(listing.tracks[0]!.isrc).toBe(albumTracks[0]!.isrc);
  });

  it('an unknown album is an honest 404 message', async () => {
    const config = configFor(fake, dataDir('c5'));
    await expect(sourceFor(config).source.load(openUrl('album', fakeId('no-album')))).rejects.toThrow(/Spotify has no album .* \(HTTP 404/);
  });

  it('wrong app credentials say which settings to copy again', async () => {
    const config = configFor(fake, dataDir('c6'), { SPOTIFY_CLIENT_SECRET: 'wrong' });
    await expect(sourceFor(config).source.load(openUrl('album', IDS.album))).rejects.toThrow(/did not accept SPOTIFY_CLIENT_ID \/ SPOTIFY_CLIENT_SECRET/);
  });
});

describe('Premium required (March 2026 rule)', () => {
  it('albums stop with the reason and what to do; playlists still list from the public page', async () => {
    const config = configFor(fake, dataDir('p1'), { SPOTIFY_REFRESH_TOKEN: ownerToken });
    fake.setPremiumRequired(true);
    try {
      const err = await sourceFor(config).source.load(openUrl('album', IDS.album)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(/Active premium subscription required/);
      expect((err as UserError).hint).toMatch(/Renew Premium/);
      const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.mine));
      expect(listing.source.backend).toBe('embed');
      expect(listing.warnings[0]).toMatch(/premium/i);
    } finally {
      fake.setPremiumRequired(false);
    }
  });
});

describe('short links', () => {
  it('follows open.spotify.com/s/… through SPOTIFY_WEB_URL and spotify.link/… through fetch', async () => {
    const shortFake = await startFakeSpotify({
      playlists: [{ id: IDS.small, name: 'Short', ownerId: 'x', rows: small }],
      shortLinks: { abc123: `https://open.spotify.com/playlist/${IDS.small}?si=from-short`, hop: 'https://spotify.link/abc123' },
    });
    try {
      const config = configFor(shortFake, dataDir('s1'), {}, false);
      const { source } = sourceFor(config, {
        // spotify.link is not configurable: a test routes it to the fake at the fetch level.
        fetch: (input, init) => fetch(String(input).replace('https://spotify.link/', `${shortFake.url}/s/`), init),
      });
      expect(await source.resolve('https://open.spotify.com/s/abc123')).toEqual({
        type: 'playlist',
        id: IDS.small,
        url: `https://open.spotify.com/playlist/${IDS.small}`,
      });
      expect((await source.resolve('https://spotify.link/hop')).id).toBe(IDS.small);
      const listing = await source.load('spotify.link/abc123');
      expect(listing.tracks).toHaveLength(12);
      await expect(source.resolve('https://spotify.link/missing')).rejects.toThrow(/short link does not exist/);
    } finally {
      await shortFake.close();
    }
  });
});

describe('short links as they really resolve', () => {
  const target = () => `https://open.spotify.com/playlist/${IDS.small}?si=abc&utm_source=copy-link`;
  it('Branch.io interstitials (og:url plain, percent-encoded once or twice, JSON-escaped, a spotify: URI), encoded redirects, spoti.fi and link.tospotify.com', async () => {
    const shortFake = await startFakeSpotify({
      playlists: [{ id: IDS.small, name: 'Short', ownerId: 'x', rows: small }],
      shortLinks: {
        plain: { target: target(), style: 'interstitial', encoding: 'plain', ignoreUserAgent: true },
        pct: { target: target(), style: 'interstitial', encoding: 'percent', ignoreUserAgent: true },
        pct2: { target: target(), style: 'interstitial', encoding: 'percent-twice', ignoreUserAgent: true },
        json: { target: target(), style: 'interstitial', encoding: 'json-escaped', ignoreUserAgent: true },
        uri: { target: target(), style: 'interstitial', encoding: 'uri-only', ignoreUserAgent: true },
        browserOnly: { target: target(), style: 'interstitial', encoding: 'percent-twice' },
        enc: { target: target(), style: 'encoded-redirect' },
        gone: { target: 'https://www.spotify.com/us/', style: 'interstitial', ignoreUserAgent: true },
      },
    });
    try {
      const config = configFor(shortFake, dataDir('s2'), {}, false);
      const userAgents: string[] = [];
      const { source } = sourceFor(config, {
        fetch: (input, init) => {
          userAgents.push(new Headers(init?.headers).get('user-agent') ?? '');
          const url = String(input).replace(/^https:\/\/(?:spotify\.link|spoti\.fi|link\.tospotify\.com)\//, `${shortFake.url}/s/`);
          return fetch(url, init);
        },
      });
      for (const code of ['plain', 'pct', 'pct2', 'json', 'uri', 'browserOnly']) {
        expect((await source.resolve(`https://spotify.link/${code}`)).url, code).toBe(`https://open.spotify.com/playlist/${IDS.small}`);
      }
      expect((await source.resolve('https://open.spotify.com/s/enc')).id).toBe(IDS.small);
      expect((await source.resolve('spoti.fi/pct')).id).toBe(IDS.small);
      expect((await source.resolve('https://link.tospotify.com/json')).id).toBe(IDS.small);
      await expect(source.resolve('https://spotify.link/gone')).rejects.toThrow(/did not lead to a Spotify playlist/);
      // Every hop asked as a command-line client (Branch.io then answers with the plain redirect).
      expect(userAgents.length).toBeGreaterThan(0);
      expect(userAgents.every((ua) => /curl/.test(ua))).toBe(true);
    } finally {
      await shortFake.close();
    }
  });
});


describe('backend "web" (SPOTIFY_WEB_PLAYLISTS=on): whole public playlists through the web player API', () => {
  const on = { SPOTIFY_WEB_PLAYLISTS: 'on' };

  it('lists all 150 rows of someone else\'s playlist, with albums, paged by 100, and warns it is an internal API', async () => {
    const config = configFor(fake, dataDir('w1'), on, false);
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.theirs));
    expect(listing.source).toEqual({ type: 'playlist', id: IDS.theirs, name: 'Their Mix', total: 150, backend: 'web' });
    expect(listing.tracks).toHaveLength(150);
    expect(listing.tracks[149]).toMatchObject({ position: 150, title: theirs[149]!.name, artists: theirs[149]!.artists, album: 'Theirs Album', durationMs: theirs[149]!.durationMs });
    expect(listing.warnings[0]).toMatch(/internal interface, which may stop working/);
    const queries = fake.requests.slice(before).filter((r) => r.path === '/pathfinder/v1/query');
    expect(queries.map((q) => JSON.parse(q.query.variables ?? '{}').offset)).toEqual([0, 100]);
  });

  it('a short playlist does not touch the web API (the page already has everything)', async () => {
    const config = configFor(fake, dataDir('w2'), on, false);
    const before = fake.requests.length;
    const listing = await sourceFor(config).source.load(openUrl('playlist', IDS.small));
    expect(listing.source.backend).toBe('embed');
    expect(fake.requests.slice(before).some((r) => r.path.startsWith('/pathfinder'))).toBe(false);
  });

  it('a rotated hash (PersistedQueryNotFound) falls back to the first 100 and names the fix; a configured hash works', async () => {
    const old = fake.webApi.hash;
    fake.webApi.hash = 'f'.repeat(64);
    try {
      const stale = await sourceFor(configFor(fake, dataDir('w3'), on, false)).source.load(openUrl('playlist', IDS.theirs));
      expect(stale.source.backend).toBe('embed');
      expect(stale.tracks).toHaveLength(100);
      expect(stale.warnings[0]).toMatch(/PersistedQueryNotFound.*SPOTIFY_WEB_PLAYLIST_HASH.*first 100/);
      const fixed = await sourceFor(configFor(fake, dataDir('w3b'), { ...on, SPOTIFY_WEB_PLAYLIST_HASH: 'f'.repeat(64) }, false)).source.load(openUrl('playlist', IDS.theirs));
      expect(fixed.tracks).toHaveLength(150);
    } finally {
      fake.webApi.hash = old;
    }
  });

  it('an expired anonymous token is refreshed once from a new page; refused twice, or 403, falls back', async () => {
    const config = configFor(fake, dataDir('w4'), on, false);
    let firstQuery = true;
    const { source } = sourceFor(config, {
      fetch: (input, init) => {
        if (String(input).includes('/pathfinder/') && firstQuery) {
          firstQuery = false;
          fake.webApi.tokens.clear();
        }
        return fetch(input, init);
      },
    });
    const refreshed = await source.load(openUrl('playlist', IDS.theirs));
    expect(refreshed.tracks).toHaveLength(150);

    const lifetime = fake.webApi.tokenLifetimeSeconds;
    fake.webApi.tokenLifetimeSeconds = -1;
    try {
      const refused = await sourceFor(config).source.load(openUrl('playlist', IDS.theirs));
      expect(refused.tracks).toHaveLength(100);
      expect(refused.warnings[0]).toMatch(/refused the anonymous web token/);
    } finally {
      fake.webApi.tokenLifetimeSeconds = lifetime;
    }

    fake.webApi.forbidden = true;
    try {
      const blocked = await sourceFor(config).source.load(openUrl('playlist', IDS.theirs));
      expect(blocked.tracks).toHaveLength(100);
      expect(blocked.warnings[0]).toMatch(/refused the web API \(403\)/);
    } finally {
      fake.webApi.forbidden = false;
    }
  });
});

describe('ISRC and album enrichment for rows that lack them (app credentials, one /v1/tracks/{id} each)', () => {
  const memoryCache = () => {
    const map = new Map<string, TrackFacts>();
    return { map, get: (ids: string[]) => new Map(ids.filter((i) => map.has(i)).map((i) => [i, map.get(i)!])), put: (id: string, f: TrackFacts) => void map.set(id, f) };
  };

  it('embed-listed rows carry ISRC, album and year; cached lookups and known tracks spend no request', async () => {
    const config = configFor(fake, dataDir('x1'));
    const cache = memoryCache();
    const known = new Set([small[0]!.id]);
    const before = fake.requestsTo('/v1/tracks/').length;
    const listing = await sourceFor(config, { trackFacts: cache, isKnownTrack: (id) => known.has(id) }).source.load(openUrl('playlist', IDS.small));
    expect(listing.source.backend).toBe('embed');
    expect(listing.tracks[0]).toMatchObject({ isrc: null });
    expect(listing.tracks[1]).toMatchObject({ isrc: small[1]!.isrc, album: small[1]!.album.name, releaseYear: 2019 });
    // The album facts the tags and the cover need come along with the same lookup.
    expect(listing.tracks[1]).toMatchObject({ albumArtists: small[1]!.artists.slice(0, 1), trackNumber: 1, discNumber: 1, releaseDate: '2019-05-17' });
    expect(fake.requestsTo('/v1/tracks/').length - before).toBe(small.length - 1);
    expect(listing.warnings.join('\n')).toMatch(/looked up in Spotify's catalogue for 11 of 12 tracks/);

    const again = await sourceFor(config, { trackFacts: cache }).source.load(openUrl('playlist', IDS.small));
    expect(fake.requestsTo('/v1/tracks/').length - before).toBe(small.length); // only the one skipped before
    expect(again.tracks.every((t) => t.isrc !== null)).toBe(true);
  });

  it('a quota 429 stops the lookups with a warning; the listing goes on with what it has', async () => {
    const config = configFor(fake, dataDir('x2'));
    const { source } = sourceFor(config, {
      fetch: (() => {
        let lookups = 0;
        return (input: string | URL, init?: RequestInit) => {
          if (String(input).includes('/v1/tracks/') && ++lookups === 4) fake.rateLimitNext({ retryAfterSeconds: 7200, quota: true, pathPrefix: '/v1/tracks/' });
          return fetch(input, init);
        };
      })(),
    });
    const listing = await source.load(openUrl('playlist', IDS.small));
    expect(listing.tracks).toHaveLength(12);
    expect(listing.tracks.filter((t) => t.isrc !== null)).toHaveLength(3);
    expect(listing.warnings.join('\n')).toMatch(/quota ran out while looking up ISRC codes.*9 tracks go on without one/s);
    fake.clearPlans();
  });

  it('without app credentials, or with SPOTIFY_ENRICH=off, nothing is looked up', async () => {
    const before = fake.requestsTo('/v1/tracks/').length;
    await sourceFor(configFor(fake, dataDir('x3'), {}, false)).source.load(openUrl('playlist', IDS.small));
    await sourceFor(configFor(fake, dataDir('x4'), { SPOTIFY_ENRICH: 'off' })).source.load(openUrl('playlist', IDS.small));
    expect(fake.requestsTo('/v1/tracks/').length).toBe(before);
  });
});

