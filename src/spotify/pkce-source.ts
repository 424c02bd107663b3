/**
 * Backend "user": the owner's own login reads playlists the owner owns or collaborates on,
 * with ISRCs. Since March 2026 that is the only way the Web API lists a playlist's tracks:
 * for anyone else's playlist `/items` answers 403 and the playlist object has no rows.
 */
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
      // Spotify answers others' playlists with metadata only, but a plain 403 means the same thing.
      if (err instanceof SpotifyApiError && err.status === 403) throw new PlaylistNotReadableError(null, null, null, { cause: err });
      throw err;
    }
    const metaTotal = meta.items?.total ?? meta.tracks?.total ?? null;
    const ownerName = meta.owner?.display_name ?? meta.owner?.id ?? null;

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
