/**
 * Backend "user": the owner's own login reads playlists the owner owns or collaborates on,
 * with ISRCs. Since March 2026 that is the only way the Web API lists a playlist's tracks:
 * for anyone else's playlist `/items` answers 403 and the playlist object has no rows.
 */
import { UserError } from '../domain/errors.js';
import type { SourceListing, TrackInfo } from '../domain/track.js';
import type { PlaylistItemRow, PlaylistObject, Page, Track } from './api-types.js';
import { SpotifyApiError } from './errors.js';
import { apiUrl, type AccessTokenSource, type SpotifyHttp } from './http.js';
import { trackInfoFromTrack } from './map-track.js';

/** Spotify's maximum page size for /playlists/{id}/items. */
export const ITEMS_PAGE_LIMIT = 50;

/** The playlist exists but its rows are not ours to read (someone else's playlist). */
export class PlaylistNotReadableError extends Error {
  override readonly name = 'PlaylistNotReadableError';
  constructor(
    readonly playlistName: string | null,
    readonly total: number | null,
    readonly ownerName: string | null,
    options?: { cause?: unknown },
  ) {
    super(`The Web API does not list the tracks of ${playlistName ? `"${playlistName}"` : 'this playlist'} for this login`, options);
  }
}

/**
 * A 403 on the playlist's metadata. Spotify's own words decide what it means: a user missing from the
 * app's Development Mode allowlist, or a plain refusal (the app, not the playlist).
 */
export function loginRefused(err: SpotifyApiError): SpotifyLoginRefusedError {
  if (/not registered/i.test(err.apiMessage)) return new SpotifyNotAllowlistedError({ cause: err });
  return new SpotifyLoginRefusedError(
    `Spotify refused to read the playlist with your login: "${err.apiMessage || 'Forbidden'}" (HTTP 403).`,
    'A 403 here is about the app or the login, not the playlist (someone else\'s playlist is answered without its tracks, not refused). ' +
      'Check the app in developer.spotify.com/dashboard, then log in again with `crate spotify-login`.',
    { cause: err },
  );
}

/** Spotify refused a request made with the owner's login (403 on something the login should read). */
export class SpotifyLoginRefusedError extends UserError {}

/** The logged-in Spotify user is not on the app's allowlist (Development Mode: 5 users). */
export class SpotifyNotAllowlistedError extends SpotifyLoginRefusedError {
  constructor(options?: { cause?: unknown }) {
    super(
      'Spotify says: "User not registered in the Developer Dashboard". Your Spotify app is in Development Mode, which serves only the users listed for it.',
      'developer.spotify.com/dashboard → your app → Settings → User Management: add the name and e-mail of the Spotify account you log in with ' +
        '(at most 5 users), then run `crate spotify-login` again.',
      options,
    );
  }
}

export interface PkceSourceDeps {
  http: SpotifyHttp;
  auth: AccessTokenSource;
  apiUrl: string;
}

export class PkcePlaylistReader {
  constructor(private readonly deps: PkceSourceDeps) {}

  async readPlaylist(id: string, signal?: AbortSignal): Promise<SourceListing> {
    const { http, auth } = this.deps;
    let meta: PlaylistObject;
    try {
      meta = await http.getJson<PlaylistObject>(apiUrl(this.deps.apiUrl, `/v1/playlists/${id}`), { auth, signal });
    } catch (err) {
      // Someone else's playlist is a 200 without `items`; a 403 here is about the app or the login.
      if (err instanceof SpotifyApiError && err.status === 403) throw loginRefused(err);
      throw err;
    }
    const ownerName = meta.owner?.display_name ?? meta.owner?.id ?? null;
    // 2026: "For other playlists, only metadata is returned and the items field will be absent."
    // No request for rows that will not come, and no total: Spotify does not send one.
    if (meta.items === undefined || meta.items === null) throw new PlaylistNotReadableError(meta.name, null, ownerName);
    const metaTotal = meta.items.total ?? null;

    const tracks: TrackInfo[] = [];
    let unavailable = 0;
    let episodes = 0;
    let local = 0;
    let total = metaTotal;
    let url: string | null = apiUrl(this.deps.apiUrl, `/v1/playlists/${id}/items?limit=${ITEMS_PAGE_LIMIT}&offset=0`);
    let offset = 0;
    let pages = 0;
    while (url) {
      let page: Page<PlaylistItemRow>;
      try {
        page = await http.getJson<Page<PlaylistItemRow>>(url, { auth, signal });
      } catch (err) {
        if (err instanceof SpotifyApiError && err.status === 403 && pages === 0) {
          throw new PlaylistNotReadableError(meta.name, metaTotal, ownerName, { cause: err });
        }
        throw err;
      }
      pages++;
      total = typeof page.total === 'number' ? page.total : total;
      const base = typeof page.offset === 'number' ? page.offset : offset;
      (page.items ?? []).forEach((row, i) => {
        const position = base + i + 1;
        const item = row.item ?? row.track ?? null;
        if (!item) {
          unavailable++;
          return;
        }
        if (item.type === 'episode') {
          episodes++;
          return;
        }
        if (row.is_local) local++;
        tracks.push(trackInfoFromTrack(item as Track, position));
      });
      offset = base + (page.items?.length ?? 0);
      // A page limit guards against a server that keeps handing out `next`.
      const maxPages = Math.ceil((total ?? 10_000) / ITEMS_PAGE_LIMIT) + 2;
      url = page.next && pages < maxPages ? apiUrl(this.deps.apiUrl, page.next) : null;
    }

    const warnings: string[] = [];
    if (unavailable > 0) warnings.push(`${unavailable} entr${unavailable === 1 ? 'y is' : 'ies are'} no longer available on Spotify and ${unavailable === 1 ? 'was' : 'were'} skipped.`);
    if (episodes > 0) warnings.push(`${episodes} podcast episode${episodes === 1 ? '' : 's'} skipped (only music is downloaded).`);
    if (local > 0) warnings.push(`${local} local file${local === 1 ? '' : 's'} (not on Spotify) listed by name only, without ISRC.`);
    return {
      source: { type: 'playlist', id, name: meta.name, total: total ?? tracks.length, backend: 'user' },
      tracks,
      warnings,
    };
  }
}
