/**
 * The Spotify PlaylistSource: picks the backend that can really read a link in 2026 and says
 * which one it used (SourceListing.source.backend) and what that means (warnings).
 *
 *   playlist → the owner's login ("user") when there is one and the API lists the rows;
 *              otherwise (not owned: 403, unknown: 404, no login, 37i9… editorial) the public
 *              embed page ("embed", first 100 tracks, no ISRC).
 *   album / track → the Web API ("catalog"): app credentials, or the owner's login if that is all there is.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import { UserError } from '../domain/errors.js';
import type { SourceListing } from '../domain/track.js';
import type { Clock, PlaylistSource } from '../engine/ports.js';
import type { Logger } from '../logger.js';
import { ClientCredentialsTokenSource, RefreshTokenSource, SpotifyLoginInvalidError } from './auth.js';
import { CatalogReader } from './catalog-source.js';
import { EMBED_TRACK_CAP, EmbedPlaylistReader, listingFromEmbed, PlaylistNotFoundError, type FoundEmbedPage } from './embed-source.js';
import { anonymousTokenSource, WebPlaylistReader } from './web-playlist-source.js';
import { enrichTracks, type TrackFactsCache } from './enrich.js';
import { SpotifyApiError, SpotifyRateLimitError } from './errors.js';
import { SpotifyHttp, systemClock, type AccessTokenSource, type FetchLike } from './http.js';
import { isSpotifyOwnedPlaylist, resolveSpotifyLink, type SpotifyLink } from './links.js';
import { PkcePlaylistReader, PlaylistNotReadableError, SpotifyLoginRefusedError } from './pkce-source.js';
import { readPlaylistSnapshot } from './snapshot-probe.js';
import { SpotifyTokenStore } from './token-store.js';

export interface SpotifySourceDeps {
  logger: Logger;
  fetch?: FetchLike;
  clock?: Clock;
  random?: () => number;
  /** Longest Retry-After waited out in place (default 180 s). */
  maxWaitSeconds?: number;
  /** Where a relative CRATE_DATA_DIR is resolved from (default: the process's cwd). */
  cwd?: string;
  /** Cache of ISRC/album lookups (SQLite in the service; none for a dry run). */
  trackFacts?: TrackFactsCache;
  /** Tracks the library already has: no ISRC lookup is spent on them. */
  isKnownTrack?: (spotifyId: string) => boolean;
  /** Gap between two ISRC lookups (default 25 ms; lookups also go one at a time). */
  enrichGapMs?: number;
}

export interface SpotifySource extends PlaylistSource {
  /** Validates and canonicalises a link (following short links) without reading it. */
  resolve(link: string, options?: { signal?: AbortSignal }): Promise<SpotifyLink>;
  /** Reads an already resolved link. */
  loadLink(link: SpotifyLink, options?: { signal?: AbortSignal }): Promise<SourceListing>;
  readonly tokenStore: SpotifyTokenStore;
  readonly http: SpotifyHttp;
  /** For `crate doctor`: do the app credentials work, and is the owner's login there and accepted? */
  probe(options?: { signal?: AbortSignal }): Promise<SpotifyProbe>;
  /** The playlist watch's probe: snapshot_id of a playlist the owner's login lists; null otherwise. */
  snapshot(link: string, options?: { signal?: AbortSignal }): Promise<string | null>;
}

export interface SpotifyProbe {
  app: 'ok' | 'missing' | 'rejected';
  user: 'ok' | 'missing' | 'expired';
  detail?: string;
}

export function spotifyTokenStore(config: Config, cwd: string = process.cwd()): SpotifyTokenStore {
  return new SpotifyTokenStore(path.resolve(cwd, config.dataDir));
}

export function createSpotifySource(config: Config, deps: SpotifySourceDeps): SpotifySource {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ component: 'spotify' });
  const http = new SpotifyHttp({
    fetch: deps.fetch,
    clock,
    logger,
    random: deps.random,
    maxWaitSeconds: deps.maxWaitSeconds,
  });
  const { apiUrl: api, accountsUrl, webUrl } = config.spotify;
  const tokenStore = spotifyTokenStore(config, deps.cwd);
  const embed = new EmbedPlaylistReader({ http, webUrl });

  let appAuth: AccessTokenSource | null | undefined;
  const appToken = (): AccessTokenSource | null => {
    if (appAuth === undefined) {
      const { clientId, clientSecret } = config.spotify;
      appAuth = clientId && clientSecret ? new ClientCredentialsTokenSource(http, accountsUrl, clientId, clientSecret, clock) : null;
    }
    return appAuth;
  };

  let userAuth: AccessTokenSource | null | undefined;
  const userToken = (): AccessTokenSource | null => {
    if (userAuth !== undefined) return userAuth;
    // The stored login wins over SPOTIFY_REFRESH_TOKEN: it is the newer one (and rotated tokens land there).
    const stored = tokenStore.read();
    const login = stored
      ? { refreshToken: stored.refreshToken, clientId: stored.clientId, scope: stored.scope, user: stored.user }
      : config.spotify.refreshToken && config.spotify.clientId
        ? { refreshToken: config.spotify.refreshToken, clientId: config.spotify.clientId, scope: '', user: null }
        : null;
    if (!stored && config.spotify.refreshToken && !config.spotify.clientId) {
      logger.warn('SPOTIFY_REFRESH_TOKEN is set but SPOTIFY_CLIENT_ID is not; the login cannot be used without its app id');
    }
    userAuth = login
      ? new RefreshTokenSource(
          http,
          accountsUrl,
          {
            refreshToken: login.refreshToken,
            clientId: login.clientId,
            // A token from the environment may come from the classic code flow, which refreshes with the secret.
            clientSecret: stored ? undefined : config.spotify.clientSecret,
          },
          (rotated, scope) => {
            tokenStore.write({
              refreshToken: rotated,
              clientId: login.clientId,
              scope: scope ?? login.scope,
              savedAt: clock.now(),
              user: login.user,
            });
            logger.info('Spotify handed out a new refresh token; stored it');
          },
          clock,
        )
      : null;
    return userAuth;
  };

  async function loadPlaylist(id: string, signal?: AbortSignal): Promise<SourceListing> {
    if (isSpotifyOwnedPlaylist(id)) return loadEditorial(id, signal);

    const notes: string[] = [];
    let knownTotal: number | null = null;
    const user = userToken();
    if (user) {
      try {
        return await new PkcePlaylistReader({ http, auth: user, apiUrl: api }).readPlaylist(id, signal);
      } catch (err) {
        if (err instanceof PlaylistNotReadableError) {
          knownTotal = err.total;
          notes.push(
            `${err.playlistName ? `"${err.playlistName}"` : 'This playlist'} belongs to ${err.ownerName ?? 'someone else'}: since March 2026 Spotify lists a playlist's tracks ` +
              'to apps only for playlists you own or collaborate on, so it was read from its public page instead.',
          );
        } else if (err instanceof SpotifyApiError && err.status === 404) {
          notes.push("Spotify's Web API does not know this playlist (404); trying its public page.");
        } else if (err instanceof SpotifyLoginRefusedError) {
          notes.push(`${err.message} ${err.hint ?? ''} Read from the public page meanwhile.`.trim());
        } else if (err instanceof SpotifyLoginInvalidError) {
          notes.push(`${err.message} ${err.hint ?? ''} Read from the public page meanwhile.`.trim());
        } else if (err instanceof UserError && !(err instanceof SpotifyRateLimitError) && /premium/i.test(err.message)) {
          notes.push(`${err.message} Read from the public page instead.`);
        } else {
          throw err;
        }
        logger.debug({ playlist: id, reason: err instanceof Error ? err.name : 'error' }, 'falling back to the embed page');
      }
    }

    // No metadata request for a total: for others' playlists Spotify's metadata carries none (2026).
    const page = await embed.readPage(id, signal);
    const listing = listingFromEmbed(id, page, knownTotal);
    const mayBeCut = page.tracks.length >= EMBED_TRACK_CAP || listing.source.total > page.tracks.length;
    if (config.spotify.webPlaylists && mayBeCut) return withNotes(await wholeFromWeb(id, page, listing, signal), notes);
    return withNotes(listing, notes);
  }

  /** SPOTIFY_WEB_PLAYLISTS=on: the whole list through the web player's API, or the page's 100 with why. */
  async function wholeFromWeb(id: string, page: FoundEmbedPage, cut: SourceListing, signal?: AbortSignal): Promise<SourceListing> {
    const fallback = (reason: string): SourceListing => {
      logger.warn({ playlist: id, reason }, 'whole-playlist reading failed; using the embed page');
      return withNotes(cut, [`Could not read the whole playlist through Spotify's web player API (SPOTIFY_WEB_PLAYLISTS): ${reason}. Listed the public page's first ${page.tracks.length} instead.`]);
    };
    if (!page.anonymousToken) return fallback('the public page carries no anonymous token any more');
    const auth = anonymousTokenSource(page.anonymousToken, async (s) => (await embed.readPage(id, s)).anonymousToken);
    const result = await new WebPlaylistReader({ http, partnerUrl: config.spotify.partnerUrl, hash: config.spotify.webPlaylistHash }).readPlaylist(id, auth, signal);
    if (result.kind === 'not_found') return fallback('it does not know this playlist');
    if (result.kind === 'unavailable') return fallback(result.reason);
    const warnings = [
      "Read through Spotify's web player API (SPOTIFY_WEB_PLAYLISTS=on): Spotify's internal interface, which may stop working at any time.",
      'No ISRC codes from the web player API, so files are matched by artist, title and length.',
    ];
    const { episodes, local, unavailable } = result.skipped;
    if (episodes > 0) warnings.push(`${episodes} podcast episode${episodes === 1 ? '' : 's'} skipped (only music is downloaded).`);
    if (local > 0) warnings.push(`${local} local file${local === 1 ? '' : 's'} skipped (they exist only on the owner's device).`);
    if (unavailable > 0) warnings.push(`${unavailable} entr${unavailable === 1 ? 'y is' : 'ies are'} no longer available on Spotify and ${unavailable === 1 ? 'was' : 'were'} skipped.`);
    return {
      source: { type: 'playlist', id, name: result.name || cut.source.name, total: Math.max(result.total, result.tracks.length), backend: 'web' },
      tracks: result.tracks,
      warnings,
    };
  }

  async function loadEditorial(id: string, signal?: AbortSignal): Promise<SourceListing> {
    const note =
      "This is one of Spotify's own playlists (editorial or algorithmic, id 37i9…): since November 2024 the Web API answers 404 " +
      'to apps for these, so it was read from its public page.';
    try {
      return withNotes(await embed.readPlaylist(id, { signal }), [note]);
    } catch (err) {
      if (err instanceof PlaylistNotFoundError) {
        throw new UserError(
          `Spotify's own playlist ${id} is not on its public page either (personalised mixes such as Discover Weekly or Daily Mix exist only for the listener).`,
          'Copy its tracks into a playlist of your own (select all → Add to playlist), then use that playlist\'s link.',
          { cause: err },
        );
      }
      throw err;
    }
  }

  async function loadCatalog(link: SpotifyLink, signal?: AbortSignal): Promise<SourceListing> {
    const auth = appToken() ?? userToken();
    if (!auth) {
      throw new UserError(
        `Reading ${link.type === 'album' ? 'an album' : 'a track'} needs a Spotify app: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set.`,
        'developer.spotify.com/dashboard → Create app (Web API) → Settings: copy Client ID and Client secret into .env as ' +
          'SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET. (A login made with `crate spotify-login` works too.) Playlists need neither.',
      );
    }
    const reader = new CatalogReader({ http, auth, apiUrl: api });
    return link.type === 'album' ? reader.readAlbum(link.id, signal) : reader.readTrack(link.id, signal);
  }

  const resolve = (link: string, options: { signal?: AbortSignal } = {}) =>
    resolveSpotifyLink(link, { http, webUrl, signal: options.signal });

  /** Rows from the public page or the web API lack ISRC and album: look them up with the app's credentials. */
  async function enrich(listing: SourceListing, signal?: AbortSignal): Promise<SourceListing> {
    const auth = appToken();
    if (!config.spotify.enrich || !auth || (listing.source.backend !== 'embed' && listing.source.backend !== 'web')) return listing;
    const result = await enrichTracks(
      listing.tracks,
      { http, auth, apiUrl: api, clock, logger, cache: deps.trackFacts, isKnown: deps.isKnownTrack, gapMs: deps.enrichGapMs ?? 25 },
      signal,
    );
    if (result.tracks === listing.tracks && result.warnings.length === 0) return listing;
    const withIsrc = result.tracks.filter((t) => t.isrc !== null).length;
    const warnings = listing.warnings.map((w) =>
      /^(Read from the public page: no ISRC|No ISRC codes from)/.test(w) && withIsrc > 0
        ? `ISRC codes and albums were looked up in Spotify's catalogue for ${withIsrc} of ${result.tracks.length} tracks (app credentials).`
        : w,
    );
    return { ...listing, tracks: result.tracks, warnings: [...warnings, ...result.warnings] };
  }

  const loadLink = async (link: SpotifyLink, options: { signal?: AbortSignal } = {}): Promise<SourceListing> => {
    const read = link.type === 'playlist' ? await loadPlaylist(link.id, options.signal) : await loadCatalog(link, options.signal);
    const listing = await enrich(read, options.signal);
    logger.debug(
      { type: link.type, id: link.id, backend: listing.source.backend, listed: listing.tracks.length, total: listing.source.total },
      'read Spotify source',
    );
    return listing;
  };

  async function probe(options: { signal?: AbortSignal } = {}): Promise<SpotifyProbe> {
    const details: string[] = [];
    const tryToken = async (source: AccessTokenSource | null, label: string): Promise<'ok' | 'missing' | 'bad'> => {
      if (!source) return 'missing';
      try {
        await source.token(options.signal);
        return 'ok';
      } catch (err) {
        details.push(`${label}: ${err instanceof Error ? err.message : String(err)}`);
        return 'bad';
      }
    };
    const app = await tryToken(appToken(), 'app');
    const user = await tryToken(userToken(), 'login');
    return {
      app: app === 'bad' ? 'rejected' : app,
      user: user === 'bad' ? 'expired' : user,
      ...(details.length > 0 ? { detail: details.join('; ') } : {}),
    };
  }

  async function snapshot(link: string, options: { signal?: AbortSignal } = {}): Promise<string | null> {
    const resolved = await resolve(link, options);
    if (resolved.type !== 'playlist' || isSpotifyOwnedPlaylist(resolved.id)) return null;
    return readPlaylistSnapshot({ http, apiUrl: api, logger }, userToken(), resolved.id, options.signal);
  }

  return {
    http,
    tokenStore,
    resolve,
    loadLink,
    probe,
    snapshot,
    async load(link, options = {}) {
      return loadLink(await resolve(link, options), options);
    },
  };
}

function withNotes(listing: SourceListing, notes: string[]): SourceListing {
  return notes.length === 0 ? listing : { ...listing, warnings: [...notes, ...listing.warnings] };
}
